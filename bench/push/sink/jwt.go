package main

// Compact JWS checks for the two providers' credentials, as services/push/src/providers/jwt.ts
// does them: RS256 (Google service-account assertions, PKCS#1 v1.5) and ES256 (APNs provider
// tokens, raw 64-byte r||s). The algorithm is the caller's, never the header's.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
)

type decodedJWT struct {
	header, claims jvalue
	signingInput   string
	signature      []byte
}

// decodeJWT splits and decodes a compact JWT without verifying it; ok is false when it is malformed
// (not three segments, bad base64url, header or claims not a JSON object).
func decodeJWT(token string) (jwt decodedJWT, ok bool) {
	first := strings.IndexByte(token, '.')
	last := strings.LastIndexByte(token, '.')
	if first < 0 || first == last || strings.IndexByte(token[first+1:last], '.') >= 0 {
		return jwt, false
	}
	header, err1 := decodeSegment(token[:first])
	claims, err2 := decodeSegment(token[first+1 : last])
	signature, err3 := decodeSegment(token[last+1:])
	if err1 != nil || err2 != nil || err3 != nil {
		return jwt, false
	}
	var okHeader, okClaims bool
	jwt.header, okHeader = parseJSON(header)
	jwt.claims, okClaims = parseJSON(claims)
	if !okHeader || !okClaims || !jwt.header.isObject() || !jwt.claims.isObject() {
		return jwt, false
	}
	jwt.signingInput = token[:last]
	jwt.signature = signature
	return jwt, true
}

// decodeSegment is base64url; padding is tolerated as Node's decoder does.
func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// stringClaim is the member's text when it is a JSON string.
func stringClaim(v *jvalue, key string) (string, bool) {
	m := v.get(key)
	if m == nil || m.kind != kindString {
		return "", false
	}
	return m.text(), true
}

// numberClaim is the member's value when it is a JSON number.
func numberClaim(v *jvalue, key string) (float64, bool) {
	m := v.get(key)
	if m == nil || m.kind != kindNumber {
		return 0, false
	}
	return m.number(), true
}

func (jwt *decodedJWT) hasAlg(alg string) bool {
	got, ok := stringClaim(&jwt.header, "alg")
	return ok && got == alg
}

func verifyRS256(jwt *decodedJWT, key *rsa.PublicKey) bool {
	if !jwt.hasAlg("RS256") {
		return false
	}
	digest := sha256.Sum256([]byte(jwt.signingInput))
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], jwt.signature) == nil
}

func verifyES256(jwt *decodedJWT, key *ecdsa.PublicKey) bool {
	if !jwt.hasAlg("ES256") || len(jwt.signature) != 64 {
		return false
	}
	digest := sha256.Sum256([]byte(jwt.signingInput))
	r := new(big.Int).SetBytes(jwt.signature[:32])
	s := new(big.Int).SetBytes(jwt.signature[32:])
	return ecdsa.Verify(key, digest[:], r, s)
}

func parsePublicKey(pemText string) (any, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("not a PEM \"PUBLIC KEY\" (SPKI) block")
	}
	return x509.ParsePKIXPublicKey(block.Bytes)
}

func parseRSAPublicKey(pemText string) (*rsa.PublicKey, error) {
	key, err := parsePublicKey(pemText)
	if err != nil {
		return nil, err
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("expected an RSA public key, got %T", key)
	}
	return rsaKey, nil
}

func parseP256PublicKey(pemText string) (*ecdsa.PublicKey, error) {
	key, err := parsePublicKey(pemText)
	if err != nil {
		return nil, err
	}
	ecKey, ok := key.(*ecdsa.PublicKey)
	if !ok || ecKey.Curve != elliptic.P256() {
		return nil, fmt.Errorf("expected an EC P-256 public key, got %T", key)
	}
	return ecKey, nil
}
