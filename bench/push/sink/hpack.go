package main

// HPACK (RFC 7541) for request header blocks: the decoder with its dynamic table and Huffman
// strings, keeping only the fields the providers look at; and the few literal encodings the
// answers need (no dynamic table on our side, so the client's table size setting never matters).

import "errors"

var errCompression = errors.New("hpack: malformed header block")

// requestHeaders are the request fields the providers read; the has* flags tell "absent" from "empty".
type requestHeaders struct {
	method, path, authorization, topic, pushType string
	priority, expiration, collapseID             string
	hasPriority, hasExpiration, hasCollapseID    bool
}

func (h *requestHeaders) set(name, value []byte) {
	switch string(name) {
	case ":method":
		h.method = string(value)
	case ":path":
		h.path = string(value)
	case "authorization":
		h.authorization = string(value)
	case "apns-topic":
		h.topic = string(value)
	case "apns-push-type":
		h.pushType = string(value)
	case "apns-priority":
		h.priority, h.hasPriority = string(value), true
	case "apns-expiration":
		h.expiration, h.hasExpiration = string(value), true
	case "apns-collapse-id":
		h.collapseID, h.hasCollapseID = string(value), true
	}
}

type hpackEntry struct{ name, value []byte }

// The size our SETTINGS allow the client's encoder (the default, 4096).
const headerTableSize = 4096

type hpackDecoder struct {
	dynamic []hpackEntry // oldest first
	size    int
	maxSize int
	scratch []byte // Huffman-decoded strings of the block being decoded
}

func newHpackDecoder() *hpackDecoder {
	return &hpackDecoder{maxSize: headerTableSize}
}

// decode reads one complete header block into h.
func (d *hpackDecoder) decode(block []byte, h *requestHeaders) error {
	d.scratch = d.scratch[:0]
	for len(block) > 0 {
		c := block[0]
		var err error
		switch {
		case c&0x80 != 0: // indexed field
			var index uint64
			if index, block, err = readInt(block, 7); err != nil {
				return err
			}
			entry, ok := d.entry(index)
			if !ok {
				return errCompression
			}
			h.set(entry.name, entry.value)
		case c&0xe0 == 0x20: // dynamic table size update
			var size uint64
			if size, block, err = readInt(block, 5); err != nil {
				return err
			}
			if size > headerTableSize {
				return errCompression
			}
			d.maxSize = int(size)
			d.evict(0)
		default: // literal: with incremental indexing (01), without (0000) or never indexed (0001)
			indexed := c&0xc0 == 0x40
			prefix := 4
			if indexed {
				prefix = 6
			}
			var index uint64
			if index, block, err = readInt(block, prefix); err != nil {
				return err
			}
			var name, value []byte
			if index == 0 {
				if name, block, err = d.readString(block); err != nil {
					return err
				}
			} else {
				entry, ok := d.entry(index)
				if !ok {
					return errCompression
				}
				name = entry.name
			}
			if value, block, err = d.readString(block); err != nil {
				return err
			}
			h.set(name, value)
			if indexed {
				d.add(name, value)
			}
		}
	}
	return nil
}

func (d *hpackDecoder) entry(index uint64) (hpackEntry, bool) {
	switch {
	case index == 0:
		return hpackEntry{}, false
	case index <= uint64(len(staticTable)):
		return staticTable[index-1], true
	case index-uint64(len(staticTable)) <= uint64(len(d.dynamic)):
		return d.dynamic[len(d.dynamic)-int(index-uint64(len(staticTable)))], true
	}
	return hpackEntry{}, false
}

func (d *hpackDecoder) add(name, value []byte) {
	size := len(name) + len(value) + 32
	d.evict(size)
	if size > d.maxSize {
		return // larger than the table: it just empties it
	}
	copied := make([]byte, len(name)+len(value))
	copy(copied, name)
	copy(copied[len(name):], value)
	d.dynamic = append(d.dynamic, hpackEntry{name: copied[:len(name)], value: copied[len(name):]})
	d.size += size
}

// evict drops the oldest entries until `room` more bytes fit.
func (d *hpackDecoder) evict(room int) {
	drop := 0
	for d.size+room > d.maxSize && drop < len(d.dynamic) {
		d.size -= len(d.dynamic[drop].name) + len(d.dynamic[drop].value) + 32
		drop++
	}
	if drop > 0 {
		d.dynamic = append(d.dynamic[:0], d.dynamic[drop:]...)
	}
}

// readInt reads an HPACK integer with an n-bit prefix.
func readInt(b []byte, n int) (uint64, []byte, error) {
	if len(b) == 0 {
		return 0, b, errCompression
	}
	limit := uint64(1)<<n - 1
	v := uint64(b[0]) & limit
	b = b[1:]
	if v < limit {
		return v, b, nil
	}
	for shift := 0; len(b) > 0 && shift <= 28; shift += 7 {
		c := b[0]
		b = b[1:]
		v += uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, b, nil
		}
	}
	return 0, b, errCompression
}

// readString reads a string literal: raw bytes of the block, or Huffman-decoded into scratch.
func (d *hpackDecoder) readString(b []byte) ([]byte, []byte, error) {
	if len(b) == 0 {
		return nil, b, errCompression
	}
	huffman := b[0]&0x80 != 0
	n, b, err := readInt(b, 7)
	if err != nil || n > uint64(len(b)) {
		return nil, b, errCompression
	}
	raw, rest := b[:n], b[n:]
	if !huffman {
		return raw, rest, nil
	}
	start := len(d.scratch)
	if d.scratch, err = huffmanDecode(d.scratch, raw); err != nil {
		return nil, rest, err
	}
	return d.scratch[start:], rest, nil
}

// huffmanNode is one level of the decoding tree: 8 bits at a time, like the encoder's byte stream.
type huffmanNode struct {
	children *[256]*huffmanNode // nil for a leaf
	sym      byte
	bits     uint8 // code bits a leaf consumes at its level
}

var huffmanRoot = buildHuffmanTree()

func buildHuffmanTree() *huffmanNode {
	root := &huffmanNode{children: new([256]*huffmanNode)}
	for sym, code := range huffmanCodes {
		length := huffmanCodeLen[sym]
		n := root
		for length > 8 {
			length -= 8
			i := uint8(code >> length)
			if n.children[i] == nil {
				n.children[i] = &huffmanNode{children: new([256]*huffmanNode)}
			}
			n = n.children[i]
		}
		leaf := &huffmanNode{sym: byte(sym), bits: length}
		shift := 8 - length
		start := int(uint8(code << shift))
		for i := start; i < start+1<<shift; i++ {
			n.children[i] = leaf
		}
	}
	return root
}

// huffmanDecode appends the decoded bytes of src to dst; padding must be < 8 bits of ones (RFC 7541 5.2).
func huffmanDecode(dst, src []byte) ([]byte, error) {
	n := huffmanRoot
	var cur uint64
	var cbits, sbits uint8 // bits in cur; bits read since the last whole symbol
	for _, b := range src {
		cur = cur<<8 | uint64(b)
		cbits += 8
		sbits += 8
		for cbits >= 8 {
			next := n.children[uint8(cur>>(cbits-8))]
			if next == nil {
				return dst, errCompression
			}
			if next.children == nil {
				dst = append(dst, next.sym)
				cbits -= next.bits
				n = huffmanRoot
				sbits = cbits
			} else {
				n = next
				cbits -= 8
			}
		}
	}
	for cbits > 0 {
		next := n.children[uint8(cur<<(8-cbits))]
		if next == nil || next.children != nil || next.bits > cbits {
			break
		}
		dst = append(dst, next.sym)
		cbits -= next.bits
		n = huffmanRoot
		sbits = cbits
	}
	if sbits > 7 || cur&(1<<cbits-1) != 1<<cbits-1 {
		return dst, errCompression
	}
	return dst, nil
}

// The static table (RFC 7541, Appendix A).
var staticTable = func() []hpackEntry {
	fields := [][2]string{
		{":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
		{":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
		{":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
		{"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
		{"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""}, {"cache-control", ""},
		{"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""}, {"content-length", ""},
		{"content-location", ""}, {"content-range", ""}, {"content-type", ""}, {"cookie", ""}, {"date", ""},
		{"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""}, {"if-match", ""},
		{"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""}, {"if-unmodified-since", ""},
		{"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""}, {"proxy-authenticate", ""},
		{"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""}, {"retry-after", ""},
		{"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""}, {"transfer-encoding", ""},
		{"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""},
	}
	table := make([]hpackEntry, len(fields))
	for i, f := range fields {
		table[i] = hpackEntry{name: []byte(f[0]), value: []byte(f[1])}
	}
	return table
}()

// appendStatus encodes :status: the static entry when there is one, else a literal with the indexed name.
func appendStatus(b []byte, status int) []byte {
	switch status {
	case 200:
		return append(b, 0x80|8)
	case 400:
		return append(b, 0x80|12)
	case 404:
		return append(b, 0x80|13)
	case 500:
		return append(b, 0x80|14)
	}
	return append(b, 0x08, 3, byte('0'+status/100), byte('0'+status/10%10), byte('0'+status%10))
}

// appendLiteral encodes a field as a literal without indexing, new name, raw strings (all < 127 bytes).
func appendLiteral(b []byte, name, value string) []byte {
	b = append(b, 0x00, byte(len(name)))
	b = append(b, name...)
	b = append(b, byte(len(value)))
	return append(b, value...)
}

// contentTypeJSON is content-type (static name 31) as a literal without indexing.
var contentTypeJSON = append([]byte{0x0f, 31 - 15, byte(len(jsonContentType))}, jsonContentType...)

const jsonContentType = "application/json; charset=UTF-8"
