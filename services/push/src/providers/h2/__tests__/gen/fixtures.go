package main

// The header blocks of ../hpack-fixtures.json: x/net-encoded cases, the RFC 7541 Appendix C
// examples and malformed blocks, each checked against x/net's decoder.

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log"
	"reflect"
	"strings"

	"golang.org/x/net/http2/hpack"
)

type Fixtures struct {
	Source string      `json:"source"`
	Cases  []Case      `json:"cases"`
	Errors []ErrorCase `json:"errors"`
}

// Case is one connection: its blocks are decoded in order by one decoder whose
// SETTINGS_HEADER_TABLE_SIZE (maxTableSize) is TableSize.
type Case struct {
	Name      string  `json:"name"`
	TableSize uint32  `json:"tableSize"`
	Blocks    []Block `json:"blocks"`
}

// Block holds one header block; header names and values map each octet to the code point of the
// same value (latin1), as the decoder under test returns them.
type Block struct {
	Hex     string      `json:"hex"`
	Headers [][2]string `json:"headers"`
}

type ErrorCase struct {
	Name      string `json:"name"`
	TableSize uint32 `json:"tableSize"`
	// Prefix blocks are decoded first (they are valid), then Hex must be rejected.
	Prefix  []string `json:"prefix,omitempty"`
	Hex     string   `json:"hex"`
	GoError string   `json:"goError"`
}

func latin1(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

func headerPairs(fields []hpack.HeaderField) [][2]string {
	out := make([][2]string, len(fields))
	for i, f := range fields {
		out[i] = [2]string{latin1(f.Name), latin1(f.Value)}
	}
	return out
}

// decodeAll decodes blocks in order with one x/net decoder, failing the run on any error.
func decodeAll(name string, tableSize uint32, blocks [][]byte) []Block {
	dec := hpack.NewDecoder(tableSize, nil)
	out := make([]Block, len(blocks))
	for i, block := range blocks {
		fields, err := dec.DecodeFull(block)
		if err != nil {
			log.Fatalf("%s block %d: x/net rejects it: %v", name, i, err)
		}
		out[i] = Block{Hex: hex.EncodeToString(block), Headers: headerPairs(fields)}
	}
	return out
}

func dehex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	must(err)
	return b
}

func pairs(kv ...string) [][2]string {
	out := make([][2]string, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		out = append(out, [2]string{kv[i], kv[i+1]})
	}
	return out
}

// rfcCases are RFC 7541 Appendix C.2–C.6, with the hex of x/net's hpack_test.go. Each is decoded by
// x/net and must give the RFC's header lists; C.3/C.4 and C.5/C.6 must also agree with each other.
func rfcCases() []Case {
	single := []struct{ name, hex string }{
		{"rfc7541-c.2.1-literal-with-indexing", "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"},
		{"rfc7541-c.2.2-literal-without-indexing", "040c 2f73 616d 706c 652f 7061 7468"},
		{"rfc7541-c.2.3-literal-never-indexed", "1008 7061 7373 776f 7264 0673 6563 7265 74"},
		{"rfc7541-c.2.4-indexed", "82"},
	}
	wantSingle := [][][2]string{
		pairs("custom-key", "custom-header"), pairs(":path", "/sample/path"), pairs("password", "secret"), pairs(":method", "GET"),
	}
	var cases []Case
	for i, s := range single {
		blocks := decodeAll(s.name, 4096, [][]byte{dehex(s.hex)})
		expect(s.name, blocks, [][][2]string{wantSingle[i]})
		cases = append(cases, Case{Name: s.name, TableSize: 4096, Blocks: blocks})
	}

	requests := [][][2]string{
		pairs(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com"),
		pairs(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com", "cache-control", "no-cache"),
		pairs(":method", "GET", ":scheme", "https", ":path", "/index.html", ":authority", "www.example.com", "custom-key", "custom-value"),
	}
	responses := [][][2]string{
		pairs(":status", "302", "cache-control", "private", "date", "Mon, 21 Oct 2013 20:13:21 GMT", "location", "https://www.example.com"),
		pairs(":status", "307", "cache-control", "private", "date", "Mon, 21 Oct 2013 20:13:21 GMT", "location", "https://www.example.com"),
		pairs(":status", "200", "cache-control", "private", "date", "Mon, 21 Oct 2013 20:13:22 GMT", "location", "https://www.example.com",
			"content-encoding", "gzip", "set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"),
	}
	series := []struct {
		name string
		size uint32
		hex  []string
		want [][][2]string
	}{
		{"rfc7541-c.3-requests-without-huffman", 4096, []string{
			"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
			"8286 84be 5808 6e6f 2d63 6163 6865",
			"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
		}, requests},
		{"rfc7541-c.4-requests-with-huffman", 4096, []string{
			"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
			"8286 84be 5886 a8eb 1064 9cbf",
			"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
		}, requests},
		{"rfc7541-c.5-responses-without-huffman-evicting", 256, []string{
			`4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
			 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
			 6c65 2e63 6f6d`,
			"4803 3330 37c1 c0bf",
			`88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
			 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
			 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
			 3d31`,
		}, responses},
		{"rfc7541-c.6-responses-with-huffman-evicting", 256, []string{
			`4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
			 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
			"4883 640e ffc1 c0bf",
			`88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
			 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
			 9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
		}, responses},
	}
	for _, s := range series {
		raw := make([][]byte, len(s.hex))
		for i, h := range s.hex {
			raw[i] = dehex(h)
		}
		blocks := decodeAll(s.name, s.size, raw)
		expect(s.name, blocks, s.want)
		cases = append(cases, Case{Name: s.name, TableSize: s.size, Blocks: blocks})
	}
	return cases
}

func expect(name string, blocks []Block, want [][][2]string) {
	for i, b := range blocks {
		if !reflect.DeepEqual(b.Headers, want[i]) {
			log.Fatalf("%s block %d: x/net decodes %v, the RFC says %v", name, i, b.Headers, want[i])
		}
	}
}

// step is one header block for x/net's encoder; before it, the encoder's table size may change
// (SetMaxDynamicTableSize, each call of which x/net signals at the start of the next block).
type step struct {
	resize []uint32
	fields []hpack.HeaderField
}

func hf(kv ...string) []hpack.HeaderField {
	out := make([]hpack.HeaderField, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		out = append(out, hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

func sensitive(name, value string) hpack.HeaderField {
	return hpack.HeaderField{Name: name, Value: value, Sensitive: true}
}

// encodeCase encodes steps with one x/net encoder for a peer whose table limit is tableSize, then
// decodes them back with x/net's decoder, which must give the fields that were encoded.
func encodeCase(name string, tableSize uint32, steps []step) Case {
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	if tableSize != 4096 {
		enc.SetMaxDynamicTableSizeLimit(tableSize)
	}
	raw := make([][]byte, len(steps))
	for i, s := range steps {
		buf.Reset()
		for _, size := range s.resize {
			enc.SetMaxDynamicTableSize(size)
		}
		for _, f := range s.fields {
			must(enc.WriteField(f))
		}
		raw[i] = bytes.Clone(buf.Bytes())
	}
	blocks := decodeAll(name, tableSize, raw)
	for i, s := range steps {
		if want := headerPairs(s.fields); !reflect.DeepEqual(blocks[i].Headers, want) {
			log.Fatalf("%s block %d: x/net round trip gives %v, want %v", name, i, blocks[i].Headers, want)
		}
	}
	return Case{Name: name, TableSize: tableSize, Blocks: blocks}
}

// FCMResponse is a typical FCM v1 200 response's header list (also the decode benchmark's input).
func fcmResponse(date string) []hpack.HeaderField {
	return hf(
		":status", "200",
		"content-type", "application/json; charset=UTF-8",
		"vary", "Origin",
		"vary", "X-Origin",
		"vary", "Referer",
		"date", date,
		"server", "scaffolding on HTTPServer2",
		"cache-control", "private",
		"x-xss-protection", "0",
		"x-frame-options", "SAMEORIGIN",
		"x-content-type-options", "nosniff",
		"alt-svc", `h3=":443"; ma=2592000,h3-29=":443"; ma=2592000`,
		"accept-ranges", "none",
	)
}

func encodedCases() []Case {
	var allBytes, everySymbol []byte
	for b := 0; b < 256; b++ {
		allBytes = append(allBytes, byte(b))
		// Mostly 5-bit symbols around each byte value, so that Huffman is shorter and x/net uses it.
		everySymbol = append(everySymbol, "00000000"...)
		everySymbol = append(everySymbol, byte(b))
	}
	var many []hpack.HeaderField
	for i := 0; i < 100; i++ {
		many = append(many, hpack.HeaderField{Name: fmt.Sprintf("x-h%02d", i), Value: fmt.Sprintf("v%d", i)})
	}
	reversed := make([]hpack.HeaderField, len(many))
	for i := range many {
		reversed[i] = many[len(many)-1-i]
	}
	longName := "x-" + strings.Repeat("long-name-", 20)

	return []Case{
		encodeCase("go-fcm-responses", 4096, []step{
			{fields: fcmResponse("Thu, 04 Dec 2025 21:00:00 GMT")},
			{fields: fcmResponse("Thu, 04 Dec 2025 21:00:00 GMT")},
			{fields: fcmResponse("Thu, 04 Dec 2025 21:00:01 GMT")},
		}),
		encodeCase("go-apns-responses", 4096, []step{
			{fields: hf(":status", "200", "apns-id", "EB8D2AC4-2F87-4E3B-9C0C-3A2F6E1F3D21", "apns-unique-id", "b6d9a5a5-1c3f-4e2e-8d2a-1a2b3c4d5e6f")},
			{fields: hf(":status", "400", "apns-id", "0D3A1B7E-7C55-4A53-8E0D-5F1E2D3C4B5A", "content-type", "application/json", "content-length", "30")},
			{fields: hf(":status", "410", "apns-id", "0D3A1B7E-7C55-4A53-8E0D-5F1E2D3C4B5A", "content-type", "application/json")},
		}),
		encodeCase("go-never-indexed", 4096, []step{
			{fields: []hpack.HeaderField{sensitive("authorization", "Bearer abc.def.ghi"), sensitive("x-secret", "s3cr3t"), {Name: "x-plain", Value: "p"}}},
			// x-plain is in the dynamic table now: never indexed, naming a dynamic entry.
			{fields: []hpack.HeaderField{sensitive("authorization", "Bearer abc.def.ghi"), {Name: "x-plain", Value: "p"}, sensitive("x-plain", "q")}},
		}),
		encodeCase("go-dynamic-names-reused", 4096, []step{
			{fields: hf("x-request-id", "1", "x-request-id", "2")},
			{fields: hf("x-request-id", "3", "x-request-id", "2", "x-request-id", "1")},
		}),
		encodeCase("go-dynamic-index-over-127", 4096, []step{
			{fields: many},
			{fields: reversed},
		}),
		encodeCase("go-evictions-in-a-256-byte-table", 256, []step{
			{fields: hf("x-first", strings.Repeat("a", 100), "x-second", strings.Repeat("b", 100))},
			{fields: hf("x-third", strings.Repeat("c", 100), "x-second", strings.Repeat("b", 100), "x-first", strings.Repeat("a", 100))},
			// Larger than the whole table: sent without indexing, with a new name and with a dynamic one.
			{fields: hf("x-huge", strings.Repeat("h", 300), "x-third", strings.Repeat("c", 100), "x-third", strings.Repeat("i", 300))},
		}),
		encodeCase("go-table-size-updates", 4096, []step{
			{fields: hf("x-a", "1", "x-b", "2")},
			// Two updates at the start of one block: down to 0 (emptying the table), then up to 64.
			{resize: []uint32{0, 64}, fields: hf("x-a", "1", "x-b", "2", "x-c", "3")},
			{resize: []uint32{4096}, fields: hf("x-b", "2", "x-c", "3", "x-a", "1")},
		}),
		encodeCase("go-long-and-non-ascii-strings", 4096, []step{
			{fields: hf(
				"x-long-huffman", strings.Repeat("abcdefghij", 40),
				"x-all-bytes", string(allBytes),
				"x-every-huffman-symbol", string(everySymbol),
				"x-utf8", "caf\u00e9 \u2603 \U0001F600",
				"x-latin1", "caf\xe9",
				longName, "v",
				"x-empty", "",
			)},
			{fields: hf("x-all-bytes", string(allBytes), longName, "v", "x-utf8", "caf\u00e9 \u2603 \U0001F600")},
		}),
	}
}

// errorCases are malformed blocks; x/net's decoder must reject each, and so must ours.
func errorCases() []ErrorCase {
	var sizeOver []byte
	sizeOver = appendVarInt(sizeOver, 5, 4097, 0x20)
	cases := []ErrorCase{
		{Name: "indexed field 0", Hex: "80"},
		{Name: "indexed field past an empty dynamic table", Hex: "be"},
		{Name: "indexed field past the dynamic table", Prefix: []string{"4001610162"}, Hex: "bf"},
		{Name: "literal name index past the tables", Hex: "7f0001 62"},
		{Name: "Huffman padding of 8 bits", Hex: "0481ff"},
		{Name: "Huffman padding of zeros", Hex: "048100"},
		{Name: "Huffman padding of more than 7 bits after a symbol", Hex: "04821fff"},
		{Name: "Huffman EOS in a string", Hex: "0485fffffffffc"},
		{Name: "table size update over the limit", Hex: hex.EncodeToString(sizeOver)},
		{Name: "table size update after a field", Prefix: []string{"4001610162"}, Hex: "be20"},
		{Name: "integer overflow", Hex: "ffffffffffffffffffffff01"},
		{Name: "truncated integer", Hex: "ff"},
		{Name: "truncated literal (no value)", Hex: "04"},
		{Name: "truncated string", Hex: "0483 6162"},
		{Name: "truncated name string", Hex: "0003 6162"},
	}
	for i := range cases {
		c := &cases[i]
		c.TableSize = 4096
		c.Hex = strings.ReplaceAll(c.Hex, " ", "")
		dec := hpack.NewDecoder(c.TableSize, nil)
		for _, p := range c.Prefix {
			if _, err := dec.DecodeFull(dehex(p)); err != nil {
				log.Fatalf("error case %q: prefix %s rejected: %v", c.Name, p, err)
			}
		}
		_, err := dec.DecodeFull(dehex(c.Hex))
		if err == nil {
			log.Fatalf("error case %q: x/net accepts %s", c.Name, c.Hex)
		}
		c.GoError = err.Error()
	}
	return cases
}

func appendVarInt(dst []byte, n uint, i uint64, first byte) []byte {
	k := uint64(1)<<n - 1
	if i < k {
		return append(dst, first|byte(i))
	}
	dst = append(dst, first|byte(k))
	for i -= k; i >= 128; i >>= 7 {
		dst = append(dst, byte(0x80|i&0x7f))
	}
	return append(dst, byte(i))
}
