package main

// FCM HTTP v1 as services/push/src/testing/fake-fcm.ts answers it: the OAuth2 token endpoint
// (JWT-bearer grant, RS256 assertion of a registered service account) and messages:send (an issued,
// unexpired bearer token of an account allowed on the project, a valid message), with Google's
// error bodies. Fault injection, per-token counts and recorded messages are left to the fake.

import (
	"bytes"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	fcmScope       = "https://www.googleapis.com/auth/firebase.messaging"
	fcmErrorType   = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
	jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	tokenPath      = "/token"
	sendPrefix     = "/v1/projects/"
	sendSuffix     = "/messages:send"
)

type fcmAccount struct {
	publicKey *rsa.PublicKey
	projects  map[string]bool
}

type issuedToken struct {
	account   *fcmAccount
	expiresAt time.Time
}

type fcmProvider struct {
	// tokenURI is the aud an assertion must carry: this listener's own /token (known once listening).
	tokenURI   string
	accounts   map[string]*fcmAccount
	ttlSeconds int
	issuedMu   sync.RWMutex
	issued     map[string]*issuedToken // by access token
	// sendNames: per allowed project, the 200 body up to the message id.
	sendNames map[string][]byte
	delivered atomic.Int64
}

func (f *fcmProvider) answer(r *request) reply {
	path := r.path // the :path as sent, query included, like the fake's request.path
	if path == tokenPath && r.method == "POST" {
		return f.grant(r.body)
	}
	if r.method != "POST" || len(path) <= len(sendPrefix)+len(sendSuffix) || !strings.HasPrefix(path, sendPrefix) || !strings.HasSuffix(path, sendSuffix) {
		return notFound(r)
	}
	project := path[len(sendPrefix) : len(path)-len(sendSuffix)]
	if strings.IndexByte(project, '/') >= 0 {
		return notFound(r)
	}
	if strings.IndexByte(project, '%') >= 0 {
		decoded, err := url.PathUnescape(project)
		if err != nil {
			return notFound(r)
		}
		project = decoded
	}
	return f.send(project, r)
}

func notFound(r *request) reply {
	return googleError(404, "NOT_FOUND", r.method+" "+r.path+" not found", "")
}

func (f *fcmProvider) grant(body []byte) reply {
	// Like URLSearchParams: a malformed pair is skipped, the others still count.
	form, _ := url.ParseQuery(string(body))
	if form.Get("grant_type") != jwtBearerGrant {
		return oauthError("unsupported_grant_type", "Invalid grant_type: "+form.Get("grant_type"))
	}
	jwt, ok := decodeJWT(form.Get("assertion"))
	var account *fcmAccount
	iss := ""
	if ok {
		iss, _ = stringClaim(&jwt.claims, "iss")
		account = f.accounts[iss]
	}
	if account == nil {
		return oauthError("invalid_grant", "Invalid grant: account not found")
	}
	if !verifyRS256(&jwt, account.publicKey) {
		return oauthError("invalid_grant", "Invalid JWT Signature.")
	}
	if aud, ok := stringClaim(&jwt.claims, "aud"); !ok || aud != f.tokenURI {
		return oauthError("invalid_grant", "Invalid JWT: aud must be "+f.tokenURI)
	}
	if scope, ok := stringClaim(&jwt.claims, "scope"); !ok || !hasScope(scope, fcmScope) {
		return oauthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
	}
	iat, okIat := numberClaim(&jwt.claims, "iat")
	exp, okExp := numberClaim(&jwt.claims, "exp")
	now := float64(time.Now().UnixMilli()) / 1000
	if !okIat || !okExp || exp-iat > 3600 || exp <= now || iat > now+60 {
		return oauthError("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
	}
	secret := make([]byte, 24)
	cryptorand.Read(secret)
	accessToken := "ya29.fake-" + base64.RawURLEncoding.EncodeToString(secret)
	f.issuedMu.Lock()
	f.issued[accessToken] = &issuedToken{account: account, expiresAt: time.Now().Add(time.Duration(f.ttlSeconds) * time.Second)}
	f.issuedMu.Unlock()
	granted, _ := marshalJSON(struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}{accessToken, f.ttlSeconds, "Bearer"})
	return reply{status: 200, body: granted}
}

func hasScope(scopes, want string) bool {
	for _, s := range strings.Split(scopes, " ") {
		if s == want {
			return true
		}
	}
	return false
}

func (f *fcmProvider) send(project string, r *request) reply {
	authorization := r.authorization
	var issued *issuedToken
	if strings.HasPrefix(authorization, "Bearer ") {
		f.issuedMu.RLock()
		issued = f.issued[authorization[len("Bearer "):]]
		f.issuedMu.RUnlock()
	}
	if issued == nil || !time.Now().Before(issued.expiresAt) {
		return googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "")
	}
	if !issued.account.projects[project] {
		return googleError(403, "PERMISSION_DENIED", "Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/"+project+"' (or it may not exist).", "")
	}
	parsed, ok := r.conn.json.parse(r.body)
	if !ok {
		return googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", "INVALID_ARGUMENT")
	}
	if problem := validateFcmRequest(&parsed); problem != "" {
		return googleError(400, "INVALID_ARGUMENT", problem, "INVALID_ARGUMENT")
	}
	f.delivered.Add(1)
	prefix := f.sendNames[project]
	name := make([]byte, 0, len(prefix)+18)
	name = append(name, prefix...)
	name = appendHex64(name, rand.Uint64())
	name = append(name, '"', '}')
	return reply{status: 200, body: name}
}

// sendNamePrefix is `{"name":"projects/<project>/messages/` for a project's 200 answers.
func sendNamePrefix(project string) []byte {
	quoted, _ := marshalJSON("projects/" + project + "/messages/")
	return append([]byte(`{"name":`), quoted[:len(quoted)-1]...)
}

func appendHex64(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, digits[(v>>uint(shift))&0xf])
	}
	return b
}

type googleErrorDetail struct {
	Type      string `json:"@type"`
	ErrorCode string `json:"errorCode"`
}

// googleError is Google's JSON error body; FCM adds an FcmError detail with its own error code.
func googleError(code int, status, message, errorCode string) reply {
	type errorBody struct {
		Code    int                 `json:"code"`
		Message string              `json:"message"`
		Status  string              `json:"status"`
		Details []googleErrorDetail `json:"details,omitempty"`
	}
	e := errorBody{Code: code, Message: message, Status: status}
	if errorCode != "" {
		e.Details = []googleErrorDetail{{Type: fcmErrorType, ErrorCode: errorCode}}
	}
	encoded, _ := marshalJSON(struct {
		Error errorBody `json:"error"`
	}{e})
	return reply{status: code, body: encoded}
}

// oauthError is Google's OAuth2 token endpoint error (always 400 here, as the fake answers).
func oauthError(code, description string) reply {
	encoded, _ := marshalJSON(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, description})
	return reply{status: 400, body: encoded}
}

// marshalJSON is json.Marshal without its HTML escaping (JSON.stringify leaves <, > and & as they are).
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	encoder := json.NewEncoder(&b)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
