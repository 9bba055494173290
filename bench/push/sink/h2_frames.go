package main

// The reader side of an HTTP/2 connection: each frame from the client, the streams it opens and
// the answer of each complete request (see h2.go).

import (
	"encoding/binary"
	"time"
)

// frame handles one frame (payload is only valid during the call); an error ends the connection with GOAWAY.
func (c *h2Conn) frame(kind, flags byte, id uint32, payload []byte) error {
	if c.block != nil && kind != frameContinuation {
		return protocolError("expected CONTINUATION")
	}
	switch kind {
	case frameData:
		return c.data(flags, id, payload)
	case frameHeaders:
		return c.headersFrame(flags, id, payload)
	case frameContinuation:
		if c.block == nil || id != c.blockStream {
			return protocolError("unexpected CONTINUATION")
		}
		if c.block = append(c.block, payload...); len(c.block) > maxHeaderBlock {
			return protocolError("header block too large")
		}
		if flags&flagEndHeaders != 0 {
			block := c.block
			c.block = nil
			return c.headerBlock(c.blockStream, block, c.blockEnd)
		}
	case framePriority:
		if id == 0 || len(payload) != 5 {
			return protocolError("bad PRIORITY")
		}
	case frameRSTStream:
		if id == 0 || len(payload) != 4 {
			return protocolError("bad RST_STREAM")
		}
		c.resetStream(id)
	case frameSettings:
		return c.settings(flags, id, payload)
	case framePushPromise:
		return protocolError("PUSH_PROMISE from a client")
	case framePing:
		if id != 0 || len(payload) != 8 {
			return protocolError("bad PING")
		}
		if flags&flagAck == 0 {
			c.control(append(appendFrameHeader(nil, 8, framePing, flagAck, 0), payload...))
		}
	case frameWindowUpdate:
		return c.windowUpdate(id, payload)
	}
	return nil // GOAWAY: the client finishes its streams and closes; unknown types are ignored
}

func (c *h2Conn) data(flags byte, id uint32, payload []byte) error {
	if id == 0 {
		return protocolError("DATA on stream 0")
	}
	// Flow control counts the whole frame, padding included: hand it back in batches.
	if c.recvUnacked += len(payload); c.recvUnacked >= 64<<10 {
		c.control(appendWindowUpdate(nil, 0, uint32(c.recvUnacked)))
		c.recvUnacked = 0
	}
	data, err := unpad(flags, payload)
	if err != nil {
		return err
	}
	s := c.receiving[id]
	if s == nil {
		if id > c.lastStreamID {
			return protocolError("DATA on an idle stream")
		}
		return nil // a stream already answered or reset
	}
	if s.bodySize += len(data); s.bodySize <= maxBodyBytes {
		*s.body = append(*s.body, data...)
	} else if len(payload) > 0 {
		// Past the limit only the size counts; keep the client's window open so it can finish.
		c.control(appendWindowUpdate(nil, id, uint32(len(payload))))
	}
	if flags&flagEndStream != 0 {
		c.complete(s)
	}
	return nil
}

func (c *h2Conn) headersFrame(flags byte, id uint32, payload []byte) error {
	if id == 0 || id%2 == 0 {
		return protocolError("HEADERS on a stream a client cannot open")
	}
	block, err := unpad(flags, payload)
	if err != nil {
		return err
	}
	if flags&flagPriority != 0 {
		if len(block) < 5 {
			return protocolError("bad HEADERS priority")
		}
		block = block[5:]
	}
	if flags&flagEndHeaders == 0 {
		c.block = append(make([]byte, 0, 2*len(block)), block...)
		c.blockStream, c.blockEnd = id, flags&flagEndStream != 0
		return nil
	}
	return c.headerBlock(id, block, flags&flagEndStream != 0)
}

// headerBlock decodes a complete block: a new request, or trailers of one being received.
func (c *h2Conn) headerBlock(id uint32, block []byte, endStream bool) error {
	if s := c.receiving[id]; s != nil { // trailers: decoded for the HPACK state, not kept
		var ignored requestHeaders
		if err := c.dec.decode(block, &ignored); err != nil {
			return &h2Error{code: errCompressionC, why: err.Error()}
		}
		if !endStream {
			return protocolError("trailers without END_STREAM")
		}
		c.complete(s)
		return nil
	}
	if id <= c.lastStreamID {
		return protocolError("HEADERS on a closed stream")
	}
	c.lastStreamID = id
	s := &h2Stream{id: id, sendWindow: c.peerInitialWn}
	if err := c.dec.decode(block, &s.headers); err != nil {
		return &h2Error{code: errCompressionC, why: err.Error()}
	}
	c.mu.Lock()
	open := len(c.receiving) + len(c.answered)
	c.mu.Unlock()
	if open >= maxConcurrentStreams {
		c.control(appendRSTStream(nil, id, errRefused))
		return nil
	}
	if s.headers.method == "" || s.headers.path == "" {
		c.control(appendRSTStream(nil, id, errProtocol))
		return nil
	}
	c.server.stats.enter()
	s.body = bodyBuffers.Get().(*[]byte)
	if endStream {
		c.complete(s)
	} else {
		c.receiving[id] = s
	}
	return nil
}

// complete decides the answer of a whole request and queues it for its due time.
func (c *h2Conn) complete(s *h2Stream) {
	delete(c.receiving, s.id)
	if s.bodySize > maxBodyBytes {
		s.answer = reasonReply(413, "PayloadTooLarge")
	} else {
		r := request{requestHeaders: s.headers, body: *s.body, conn: &c.state}
		s.answer = c.server.provider.answer(&r)
	}
	*s.body = (*s.body)[:0]
	bodyBuffers.Put(s.body)
	s.body = nil
	s.due = time.Now().Add(c.server.latency)
	c.mu.Lock()
	c.answered[s.id] = s
	c.queue = append(c.queue, s)
	first := len(c.queue)-c.head == 1
	c.mu.Unlock()
	if first {
		c.signal()
	}
}

func (c *h2Conn) resetStream(id uint32) {
	if s := c.receiving[id]; s != nil {
		delete(c.receiving, id)
		*s.body = (*s.body)[:0]
		bodyBuffers.Put(s.body)
		c.finish(s)
		return
	}
	c.mu.Lock()
	if s := c.answered[id]; s != nil {
		s.reset = true // the writer drops it
		delete(c.answered, id)
		c.finish(s)
	}
	c.mu.Unlock()
}

// finish ends a stream's time in flight (once).
func (c *h2Conn) finish(s *h2Stream) {
	if !s.finished {
		s.finished = true
		c.server.stats.active.Add(-1)
	}
}

func (c *h2Conn) settings(flags byte, id uint32, payload []byte) error {
	if id != 0 || len(payload)%6 != 0 || (flags&flagAck != 0 && len(payload) != 0) {
		return protocolError("bad SETTINGS")
	}
	if flags&flagAck != 0 {
		return nil
	}
	for ; len(payload) > 0; payload = payload[6:] {
		value := binary.BigEndian.Uint32(payload[2:6])
		switch binary.BigEndian.Uint16(payload[:2]) {
		case settingInitialWindowSize:
			if value > 1<<31-1 {
				return &h2Error{code: errFlowControl, why: "initial window too large"}
			}
			delta := int64(value) - c.peerInitialWn
			c.peerInitialWn = int64(value)
			for _, s := range c.receiving {
				s.sendWindow += delta
			}
			c.mu.Lock()
			for _, s := range c.answered {
				s.sendWindow += delta
			}
			c.mu.Unlock()
		case settingMaxFrameSize:
			if value < 16_384 || value > 1<<24-1 {
				return protocolError("bad SETTINGS_MAX_FRAME_SIZE")
			}
			c.mu.Lock()
			c.peerMaxFrame = int(value)
			c.mu.Unlock()
		}
	}
	c.control(appendFrameHeader(nil, 0, frameSettings, flagAck, 0))
	c.signal() // windows may have grown
	return nil
}

func (c *h2Conn) windowUpdate(id uint32, payload []byte) error {
	if len(payload) != 4 {
		return protocolError("bad WINDOW_UPDATE")
	}
	increment := int64(binary.BigEndian.Uint32(payload) & 0x7fffffff)
	if increment == 0 {
		if id == 0 {
			return protocolError("WINDOW_UPDATE of 0")
		}
		c.control(appendRSTStream(nil, id, errProtocol))
		return nil
	}
	if s := c.receiving[id]; s != nil {
		s.sendWindow += increment
		return nil
	}
	c.mu.Lock()
	if id == 0 {
		c.sendWindow += increment
	} else if s := c.answered[id]; s != nil {
		s.sendWindow += increment
	}
	c.mu.Unlock()
	c.signal()
	return nil
}

func unpad(flags byte, payload []byte) ([]byte, error) {
	if flags&flagPadded == 0 {
		return payload, nil
	}
	if len(payload) == 0 || int(payload[0]) >= len(payload) {
		return nil, protocolError("bad padding")
	}
	return payload[1 : len(payload)-int(payload[0])], nil
}
