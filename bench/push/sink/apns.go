package main

// APNs as services/push/src/testing/fake-apns.ts answers it: POST /3/device/{token} with a provider
// JWT (ES256 with a registered key, iss = its team, iat within the hour, no renewal within 20 min on
// one connection), an apns-topic the key may push to, push type, priority, expiration, collapse id,
// a hex device token and a JSON payload with an aps object; errors as {"reason"} with APNs' status.
// A JWT's signature is verified once and the result cached by the JWT string, as APNs does;
// its age is still checked on every request. Fault injection and 410 Unregistered are the fake's.

import (
	"crypto/ecdsa"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	devicePrefix      = "/3/device/"
	tokenMaxAge       = time.Hour
	minTokenUpdate    = 20 * time.Minute
	maxPayloadBytes   = 4096
	maxCachedJWTs     = 10_000
	maxCollapseIDSize = 64
)

var pushTypes = fieldSet("alert", "background", "location", "voip", "complication", "fileprovider", "mdm", "liveactivity", "pushtotalk")

type apnsKey struct {
	keyID     string
	teamID    string
	publicKey *ecdsa.PublicKey
	topics    map[string]bool
}

// verifiedJWT is a provider token whose signature, key and team were checked.
type verifiedJWT struct {
	key *apnsKey
	iat float64 // seconds
}

// tokenInUse is the provider token a key last used on one connection (TooManyProviderTokenUpdates).
type tokenInUse struct {
	jwt   string
	since time.Time
}

type apnsProvider struct {
	keys       map[string]*apnsKey
	verifiedMu sync.RWMutex
	verified   map[string]*verifiedJWT // by JWT
	delivered  atomic.Int64
}

func (a *apnsProvider) answer(r *request) reply {
	if r.method != "POST" {
		return reasonReply(405, "MethodNotAllowed")
	}
	path := r.path
	token := strings.TrimPrefix(path, devicePrefix)
	if len(token) == len(path) || token == "" || strings.ContainsAny(token, "/?") {
		return reasonReply(404, "BadPath")
	}
	key, problem := a.authenticate(r)
	if problem.status != 0 {
		return problem
	}
	if problem := checkApnsHeaders(&r.requestHeaders, key); problem.status != 0 {
		return problem
	}
	if !isDeviceToken(token) {
		return reasonReply(400, "BadDeviceToken")
	}
	if problem := checkPayload(&r.conn.json, r.body); problem.status != 0 {
		return problem
	}
	a.delivered.Add(1)
	return reply{status: 200, headerName: "apns-id", headerValue: randomUUID()}
}

func (a *apnsProvider) authenticate(r *request) (*apnsKey, reply) {
	authorization := r.authorization
	if authorization == "" {
		return nil, reasonReply(403, "MissingProviderToken")
	}
	if len(authorization) < 7 || !strings.EqualFold(authorization[:7], "bearer ") {
		return nil, reasonReply(403, "InvalidProviderToken")
	}
	jwt := authorization[7:]
	verified := a.verify(jwt)
	if verified == nil {
		return nil, reasonReply(403, "InvalidProviderToken")
	}
	now := time.Now()
	nowMs, issuedMs := float64(now.UnixMilli()), verified.iat*1000
	if issuedMs > nowMs+60_000 {
		return nil, reasonReply(403, "InvalidProviderToken")
	}
	if nowMs-issuedMs > float64(tokenMaxAge.Milliseconds()) {
		return nil, reasonReply(403, "ExpiredProviderToken")
	}
	// Tracked per connection and key, as the fake does (separate clients do not trip each other).
	current, seen := r.conn.apnsTokens[verified.key.keyID]
	if current.jwt != jwt {
		if seen && now.Sub(current.since) < minTokenUpdate {
			return nil, reasonReply(429, "TooManyProviderTokenUpdates")
		}
		r.conn.apnsTokens[verified.key.keyID] = tokenInUse{jwt: jwt, since: now}
	}
	return verified.key, reply{}
}

// verify checks a provider JWT's signature, key and team once; the time checks are the caller's.
func (a *apnsProvider) verify(jwt string) *verifiedJWT {
	a.verifiedMu.RLock()
	cached := a.verified[jwt]
	a.verifiedMu.RUnlock()
	if cached != nil {
		return cached
	}
	decoded, ok := decodeJWT(jwt)
	if !ok {
		return nil
	}
	kid, _ := stringClaim(&decoded.header, "kid")
	key := a.keys[kid]
	if key == nil || !verifyES256(&decoded, key.publicKey) {
		return nil
	}
	if iss, ok := stringClaim(&decoded.claims, "iss"); !ok || iss != key.teamID {
		return nil
	}
	iat, ok := numberClaim(&decoded.claims, "iat")
	if !ok {
		return nil
	}
	verified := &verifiedJWT{key: key, iat: iat}
	// Only signed tokens get here, a few per hour per key: the bound is against a runaway client.
	a.verifiedMu.Lock()
	if len(a.verified) >= maxCachedJWTs {
		clear(a.verified)
	}
	a.verified[jwt] = verified
	a.verifiedMu.Unlock()
	return verified
}

func checkApnsHeaders(h *requestHeaders, key *apnsKey) reply {
	if h.topic == "" {
		return reasonReply(400, "MissingTopic")
	}
	if !key.topics[h.topic] {
		return reasonReply(400, "TopicDisallowed")
	}
	if !pushTypes[h.pushType] {
		return reasonReply(400, "InvalidPushType")
	}
	if h.hasPriority && h.priority != "1" && h.priority != "5" && h.priority != "10" {
		return reasonReply(400, "BadPriority")
	}
	if h.hasExpiration && !allDigits(h.expiration) {
		return reasonReply(400, "BadExpirationDate")
	}
	if h.hasCollapseID && len(h.collapseID) > maxCollapseIDSize {
		return reasonReply(400, "BadCollapseId")
	}
	return reply{}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isDeviceToken is the fake's /^[0-9a-f]{64,200}$/i on the decoded path segment.
func isDeviceToken(token string) bool {
	if strings.IndexByte(token, '%') >= 0 {
		decoded, err := url.PathUnescape(token)
		if err != nil {
			return false
		}
		token = decoded
	}
	if len(token) < 64 || len(token) > 200 {
		return false
	}
	for i := 0; i < len(token); i++ {
		if hexValue(token[i]) < 0 {
			return false
		}
	}
	return true
}

func checkPayload(parser *jparser, body []byte) reply {
	if len(body) == 0 {
		return reasonReply(400, "PayloadEmpty")
	}
	if len(body) > maxPayloadBytes {
		return reasonReply(413, "PayloadTooLarge")
	}
	payload, ok := parser.parse(body)
	if !ok || !payload.isObject() || !payload.get("aps").isObject() {
		return reasonReply(400, "PayloadEmpty")
	}
	return reply{}
}

// randomUUID is a version 4 UUID (the apns-id APNs assigns when the request has none).
func randomUUID() string {
	hi, lo := rand.Uint64(), rand.Uint64()
	hi = hi&^0xf000 | 0x4000         // version 4
	lo = lo&^(0xc<<60) | (0x8 << 60) // RFC 4122 variant
	const digits = "0123456789abcdef"
	var b [36]byte
	pos := 0
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[pos] = '-'
			pos++
		}
		word, shift := hi, uint(60-4*i)
		if i >= 16 {
			word, shift = lo, uint(60-4*(i-16))
		}
		b[pos] = digits[(word>>shift)&0xf]
		pos++
	}
	return string(b[:])
}
