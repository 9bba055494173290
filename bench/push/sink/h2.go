package main

// A minimal HTTP/2 server over cleartext TCP (h2c with prior knowledge, RFC 9113), enough for
// clients that speak HTTP/2 properly (Node's http2, Go's net/http): SETTINGS, PING, flow control
// both ways, HEADERS + CONTINUATION, DATA, RST_STREAM, GOAWAY. Why not net/http's server: it costs
// ~40 µs of CPU per request here (a goroutine, channels and a stack per stream), as much as the
// TypeScript fakes this replaces. Here one goroutine per connection reads frames and decides each
// answer as its request completes; answers wait in a FIFO (the latency is the same for all) and
// one writer goroutine per connection sends all those that are due in one write.

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

const (
	clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

	frameData         = 0x0
	frameHeaders      = 0x1
	framePriority     = 0x2
	frameRSTStream    = 0x3
	frameSettings     = 0x4
	framePushPromise  = 0x5
	framePing         = 0x6
	frameGoAway       = 0x7
	frameWindowUpdate = 0x8
	frameContinuation = 0x9

	flagEndStream  = 0x1
	flagAck        = 0x1
	flagEndHeaders = 0x4
	flagPadded     = 0x8
	flagPriority   = 0x20

	errProtocol     = 0x1
	errFlowControl  = 0x3
	errFrameSize    = 0x6
	errRefused      = 0x7
	errCompressionC = 0x9

	settingHeaderTableSize   = 0x1
	settingMaxConcurrent     = 0x3
	settingInitialWindowSize = 0x4
	settingMaxFrameSize      = 0x5

	maxConcurrentStreams = 10_000
	maxFrameSize         = 16_384 // ours: the default, never raised
	streamWindow         = 1 << 20
	connWindow           = 1 << 24
	maxHeaderBlock       = 256 << 10
	maxBodyBytes         = 64 * 1024
	// Answers due within this much of each other go out in one write: answers come after
	// latency … latency + 0.5 ms (Node's setTimeout, behind the TypeScript fakes, is ms-grained too).
	answerBatchWindow = 500 * time.Microsecond
)

type h2Error struct {
	code uint32
	why  string
}

func (e *h2Error) Error() string { return e.why }

func protocolError(why string) error { return &h2Error{code: errProtocol, why: why} }

// request is what a provider sees of a complete request.
type request struct {
	requestHeaders
	body []byte
	conn *connState
}

// connState is a provider's per-connection state (read and written on the connection's reader goroutine only).
type connState struct {
	apnsTokens map[string]tokenInUse
	json       jparser // reused for each request body
}

// reply is a provider's answer; body must not point into the request.
type reply struct {
	status                  int
	headerName, headerValue string // one extra response header (apns-id), lower-case, or ""
	body                    []byte
}

type provider interface {
	answer(r *request) reply
}

type h2Server struct {
	provider provider
	latency  time.Duration
	stats    *listenerStats
	mu       sync.Mutex
	conns    map[*h2Conn]struct{}
}

func newH2Server(p provider, latency time.Duration, stats *listenerStats) *h2Server {
	return &h2Server{provider: p, latency: latency, stats: stats, conns: map[*h2Conn]struct{}{}}
}

func (s *h2Server) serve(ln net.Listener) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		s.stats.connections.Add(1)
		c := newH2Conn(s, nc)
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		go c.run()
	}
}

func (s *h2Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.nc.Close()
	}
}

type h2Stream struct {
	id         uint32
	headers    requestHeaders
	body       *[]byte
	bodySize   int
	sendWindow int64
	due        time.Time
	answer     reply
	reset      bool
	finished   bool
}

type h2Conn struct {
	server *h2Server
	nc     net.Conn
	br     *bufio.Reader
	dec    *hpackDecoder
	state  connState

	// Reader goroutine only.
	receiving     map[uint32]*h2Stream // headers seen, request not complete
	lastStreamID  uint32
	block         []byte // header block being assembled from CONTINUATION frames
	blockStream   uint32
	blockEnd      bool // its HEADERS had END_STREAM
	recvUnacked   int
	peerInitialWn int64

	mu           sync.Mutex // guards what the writer shares
	peerMaxFrame int
	answered     map[uint32]*h2Stream
	queue        []*h2Stream
	head         int
	ctrl         []byte
	sendWindow   int64
	closed       bool
	wake         chan struct{}
	writeMu      sync.Mutex
}

var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func newH2Conn(s *h2Server, nc net.Conn) *h2Conn {
	return &h2Conn{
		server: s, nc: nc, br: bufio.NewReaderSize(nc, 64<<10), dec: newHpackDecoder(),
		state:     connState{apnsTokens: map[string]tokenInUse{}},
		receiving: map[uint32]*h2Stream{}, answered: map[uint32]*h2Stream{},
		peerMaxFrame: maxFrameSize, peerInitialWn: 65_535, sendWindow: 65_535,
		wake: make(chan struct{}, 1),
	}
}

func (c *h2Conn) run() {
	defer c.shutdown()
	preface := make([]byte, len(clientPreface))
	if _, err := io.ReadFull(c.br, preface); err != nil || string(preface) != clientPreface {
		return // not HTTP/2 with prior knowledge
	}
	var hello []byte
	hello = appendFrameHeader(hello, 18, frameSettings, 0, 0)
	hello = appendSetting(hello, settingMaxConcurrent, maxConcurrentStreams)
	hello = appendSetting(hello, settingInitialWindowSize, streamWindow)
	hello = appendSetting(hello, settingHeaderTableSize, headerTableSize)
	hello = appendWindowUpdate(hello, 0, connWindow-65_535)
	c.control(hello)
	go c.writeLoop()
	for {
		header, err := c.br.Peek(9)
		if err != nil {
			return
		}
		length := int(header[0])<<16 | int(header[1])<<8 | int(header[2])
		kind, flags := header[3], header[4]
		id := binary.BigEndian.Uint32(header[5:9]) & 0x7fffffff
		if length > maxFrameSize {
			c.goAway(&h2Error{code: errFrameSize, why: "frame too large"})
			return
		}
		c.br.Discard(9)
		payload, err := c.br.Peek(length)
		if err != nil {
			return
		}
		err = c.frame(kind, flags, id, payload)
		c.br.Discard(length)
		if err != nil {
			c.goAway(err)
			return
		}
	}
}

// listenerStats: connections accepted, requests in flight (headers received, answer not yet sent) and their peak.
type listenerStats struct {
	connections atomic.Int64
	active      atomic.Int64
	maxActive   atomic.Int64
}

func (s *listenerStats) enter() {
	n := s.active.Add(1)
	for {
		m := s.maxActive.Load()
		if n <= m || s.maxActive.CompareAndSwap(m, n) {
			return
		}
	}
}

func reasonReply(status int, reason string) reply {
	return reply{status: status, body: []byte(`{"reason":"` + reason + `"}`)}
}
