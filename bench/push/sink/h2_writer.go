package main

// The writer side of an HTTP/2 connection: control frames at once, answers once due, each batch
// in one write (see h2.go).

import (
	"encoding/binary"
	"errors"
	"time"
)

// control queues frames for the writer.
func (c *h2Conn) control(frames []byte) {
	c.mu.Lock()
	c.ctrl = append(c.ctrl, frames...)
	c.mu.Unlock()
	c.signal()
}

func (c *h2Conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// writeLoop sends control frames at once and each answer once due, as many per write as are ready.
func (c *h2Conn) writeLoop() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var out []byte
	for {
		var wait time.Duration
		var closed bool
		if out, wait, closed = c.nextBatch(out[:0]); closed {
			return
		}
		if len(out) > 0 {
			c.writeMu.Lock()
			_, err := c.nc.Write(out)
			c.writeMu.Unlock()
			if err != nil {
				c.nc.Close()
				return
			}
		}
		if wait < 0 {
			<-c.wake
			continue
		}
		timer.Reset(wait)
		select {
		case <-c.wake:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// nextBatch appends the control frames queued and the answers due; wait is the time until the next
// answer is due, < 0 when there is none (or it waits for a WINDOW_UPDATE, which signals).
func (c *h2Conn) nextBatch(out []byte) ([]byte, time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return out, 0, true
	}
	out = append(out, c.ctrl...)
	c.ctrl = c.ctrl[:0]
	wait := time.Duration(-1)
	now := time.Now()
	for c.head < len(c.queue) {
		s := c.queue[c.head]
		if !s.reset {
			if d := s.due.Sub(now); d > 0 {
				wait = d + answerBatchWindow
				break
			}
			if size := int64(len(s.answer.body)); size > 0 && (size > c.sendWindow || size > s.sendWindow) {
				break
			}
			out = c.appendAnswer(out, s)
			delete(c.answered, s.id)
			c.finish(s)
		}
		c.queue[c.head] = nil
		c.head++
	}
	if c.head == len(c.queue) {
		c.queue, c.head = c.queue[:0], 0
	} else if c.head > 1024 && c.head*2 > len(c.queue) {
		c.queue = append(c.queue[:0], c.queue[c.head:]...)
		c.head = 0
	}
	return out, wait, false
}

// appendAnswer encodes an answer's HEADERS and DATA frames (called with c.mu held).
func (c *h2Conn) appendAnswer(out []byte, s *h2Stream) []byte {
	a := &s.answer
	at := len(out)
	out = appendFrameHeader(out, 0, frameHeaders, flagEndHeaders, s.id)
	out = appendStatus(out, a.status)
	if a.body != nil {
		out = append(out, contentTypeJSON...)
	}
	if a.headerName != "" {
		out = appendLiteral(out, a.headerName, a.headerValue)
	}
	setFrameLength(out[at:], len(out)-at-9)
	if len(a.body) == 0 {
		out[at+4] |= flagEndStream
		return out
	}
	c.sendWindow -= int64(len(a.body))
	s.sendWindow -= int64(len(a.body))
	for body := a.body; len(body) > 0; {
		n := min(len(body), c.peerMaxFrame)
		flags := byte(0)
		if n == len(body) {
			flags = flagEndStream
		}
		out = appendFrameHeader(out, n, frameData, flags, s.id)
		out = append(out, body[:n]...)
		body = body[n:]
	}
	return out
}

func (c *h2Conn) goAway(err error) {
	code := uint32(errProtocol)
	var h2err *h2Error
	if errors.As(err, &h2err) {
		code = h2err.code
	}
	frame := appendFrameHeader(nil, 8, frameGoAway, 0, 0)
	frame = binary.BigEndian.AppendUint32(frame, c.lastStreamID)
	frame = binary.BigEndian.AppendUint32(frame, code)
	c.writeMu.Lock()
	c.nc.Write(frame)
	c.writeMu.Unlock()
}

func (c *h2Conn) shutdown() {
	c.nc.Close()
	for _, s := range c.receiving {
		c.finish(s)
	}
	c.mu.Lock()
	c.closed = true
	for _, s := range c.answered {
		c.finish(s)
	}
	c.mu.Unlock()
	c.signal()
	c.server.mu.Lock()
	delete(c.server.conns, c)
	c.server.mu.Unlock()
}

func appendFrameHeader(b []byte, length int, kind, flags byte, id uint32) []byte {
	b = append(b, byte(length>>16), byte(length>>8), byte(length), kind, flags)
	return binary.BigEndian.AppendUint32(b, id)
}

func setFrameLength(frame []byte, length int) {
	frame[0], frame[1], frame[2] = byte(length>>16), byte(length>>8), byte(length)
}

func appendSetting(b []byte, id uint16, value uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint16(b, id), value)
}

func appendWindowUpdate(b []byte, id, increment uint32) []byte {
	return binary.BigEndian.AppendUint32(appendFrameHeader(b, 4, frameWindowUpdate, 0, id), increment)
}

func appendRSTStream(b []byte, id, code uint32) []byte {
	return binary.BigEndian.AppendUint32(appendFrameHeader(b, 4, frameRSTStream, 0, id), code)
}
