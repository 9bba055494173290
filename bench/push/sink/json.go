package main

// A small JSON reader for request bodies and JWT segments. Why not encoding/json: it matches object
// keys case-insensitively (FCM's and the fakes' field names are exact), it cannot tell the JS kinds
// the fakes' checks are written in (typeof string/number/object) without decoding into interface{}
// maps, and it allocates per string. This one follows JSON.parse: the same grammar, duplicate keys
// keep the first position and the last value, and string values stay as their escaped bytes inside
// the body (the checks only need their kind and emptiness; unescape() when the text is needed).

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// Deeper documents than this are refused (JSON.parse would overflow its stack much later; no
// request this sink accepts nests past 5).
const maxDepth = 512

type jvalue struct {
	kind kind
	// raw: a string's escaped bytes between the quotes, or a number's text.
	raw     []byte
	members []jmember
}

type jmember struct {
	key []byte // unescaped
	val jvalue
}

func (v *jvalue) isObject() bool { return v != nil && v.kind == kindObject }

// get returns the member's value, nil when absent (JS `undefined`).
func (v *jvalue) get(key string) *jvalue {
	for i := range v.members {
		if string(v.members[i].key) == key {
			return &v.members[i].val
		}
	}
	return nil
}

// text is a string value's unescaped text.
func (v *jvalue) text() string {
	if !hasBackslash(v.raw) {
		return string(v.raw)
	}
	return string(unescape(v.raw))
}

// number is a number value as JS reads it (±Inf past float64's range, like JSON.parse).
func (v *jvalue) number() float64 {
	f, _ := strconv.ParseFloat(string(v.raw), 64)
	return f
}

type jparser struct {
	b     []byte
	i     int
	depth int
	stack []jmember
	arena []jmember
}

// parseJSON reads one JSON document (surrounding whitespace allowed); ok is false when JSON.parse would throw.
func parseJSON(b []byte) (jvalue, bool) {
	var p jparser
	return p.parse(b)
}

// parse is parseJSON reusing this parser's memory: the values it returns are valid until its next parse.
func (p *jparser) parse(b []byte) (v jvalue, ok bool) {
	p.b, p.i, p.depth = b, 0, 0
	p.stack, p.arena = p.stack[:0], p.arena[:0]
	p.ws()
	if v, ok = p.value(); !ok {
		return v, false
	}
	p.ws()
	return v, p.i == len(p.b)
}

func (p *jparser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jparser) value() (jvalue, bool) {
	if p.i >= len(p.b) {
		return jvalue{}, false
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		raw, _, ok := p.str()
		return jvalue{kind: kindString, raw: raw}, ok
	case c == 't':
		return jvalue{kind: kindBool}, p.literal("true")
	case c == 'f':
		return jvalue{kind: kindBool}, p.literal("false")
	case c == 'n':
		return jvalue{kind: kindNull}, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.numberValue()
	}
	return jvalue{}, false
}

func (p *jparser) literal(word string) bool {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *jparser) object() (jvalue, bool) {
	v := jvalue{kind: kindObject}
	if p.depth++; p.depth > maxDepth {
		return v, false
	}
	p.i++ // {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.depth--
		return v, true
	}
	// Members collect on p.stack (a nested object's above its parent's) and move to p.arena when
	// the object closes: the slices are the parser's, reused from one document to the next.
	start := len(p.stack)
	for {
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return v, false
		}
		key, escaped, ok := p.str()
		if !ok {
			return v, false
		}
		if escaped {
			key = unescape(key)
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return v, false
		}
		p.i++
		p.ws()
		val, ok := p.value()
		if !ok {
			return v, false
		}
		p.set(start, key, val)
		p.ws()
		if p.i >= len(p.b) {
			return v, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			at := len(p.arena)
			p.arena = append(p.arena, p.stack[start:]...)
			v.members = p.arena[at:len(p.arena):len(p.arena)]
			p.stack = p.stack[:start]
			return v, true
		default:
			return v, false
		}
	}
}

// set adds a member to the object whose members start at p.stack[start], with JSON.parse's
// semantics for a repeated key: first position, last value.
func (p *jparser) set(start int, key []byte, val jvalue) {
	for i := start; i < len(p.stack); i++ {
		if string(p.stack[i].key) == string(key) {
			p.stack[i].val = val
			return
		}
	}
	p.stack = append(p.stack, jmember{key: key, val: val})
}

// array checks the elements; none of the checks needs them, so they are not kept.
func (p *jparser) array() (jvalue, bool) {
	v := jvalue{kind: kindArray}
	if p.depth++; p.depth > maxDepth {
		return v, false
	}
	p.i++ // [
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		p.depth--
		return v, true
	}
	for {
		p.ws()
		if _, ok := p.value(); !ok {
			return v, false
		}
		p.ws()
		if p.i >= len(p.b) {
			return v, false
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			return v, true
		default:
			return v, false
		}
	}
}

// str reads a string at p.i (a '"'): its bytes between the quotes and whether they hold escapes.
func (p *jparser) str() (raw []byte, escaped bool, ok bool) {
	p.i++
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			raw = p.b[start:p.i]
			p.i++
			return raw, escaped, true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			escaped = true
			if p.i+1 >= len(p.b) {
				return nil, false, false
			}
			switch p.b[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.b) {
					return nil, false, false
				}
				for _, h := range p.b[p.i+2 : p.i+6] {
					if hexValue(h) < 0 {
						return nil, false, false
					}
				}
				p.i += 6
			default:
				return nil, false, false
			}
		default:
			p.i++
		}
	}
	return nil, false, false
}

func (p *jparser) numberValue() (jvalue, bool) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return jvalue{}, false
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return jvalue{}, false
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return jvalue{}, false
		}
	}
	return jvalue{kind: kindNumber, raw: p.b[start:p.i]}, true
}

func (p *jparser) digits() int {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

func hasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// unescape decodes a string's escapes (already checked by str); a lone surrogate becomes U+FFFD.
func unescape(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := rune(hex4(raw[i+1 : i+5]))
			i += 4
			if utf16.IsSurrogate(r) && i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if pair := utf16.DecodeRune(r, rune(hex4(raw[i+3:i+7]))); pair != utf8.RuneError {
					r = pair
					i += 6
				}
			}
			out = utf8.AppendRune(out, r)
		default: // " \ /
			out = append(out, raw[i])
		}
	}
	return out
}

func hex4(b []byte) int {
	return hexValue(b[0])<<12 | hexValue(b[1])<<8 | hexValue(b[2])<<4 | hexValue(b[3])
}
