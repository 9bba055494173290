// push-sink: a lean stand-in for FCM and APNs in the push benchmark (bench/push/go-sink.ts starts
// it). The providers are not the system under test, yet the TypeScript fakes of
// services/push/src/testing cost the bench machine ~70 µs of CPU per notification; this answers
// the same two APIs with the same checks for ~8 µs, over an HTTP/2 server of its own (h2.go: h2c
// with prior knowledge only, no HTTP/1.1, no TLS). Answers go out latency … latency + 0.5 ms after
// the request completed; a delivery is counted when accepted, before that wait, as the fakes do.
//
// Usage: push-sink [config.json]   (else the config is read from stdin, which then stays open:
// its end, like SIGTERM or SIGINT, stops the sink). The config:
//
//	{"latencyMs": 20, "accessTokenTtlSeconds": 3600, "fcmPort": 0, "apnsPort": 0,
//	 "fcm": {"serviceAccounts": [{"clientEmail": "...", "publicKeyPem": "-----BEGIN PUBLIC KEY-----...", "projectIds": ["..."]}]},
//	 "apns": {"keys": [{"teamId": "...", "keyId": "...", "publicKeyPem": "...", "topics": ["com.example.app"]}]}}
//
// Service accounts' token_uri must be http://127.0.0.1:<fcm port>/token (the assertions' aud).
// Stdout, one line each: `listening fcm=<port> apns=<port>` once ready; `d <fcm delivered> <apns
// delivered>` within 5 ms of a change; `s <fcm connections> <fcm max in flight> <apns connections>
// <apns max in flight>` within 100 ms of a change; both once more on exit.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

type config struct {
	LatencyMs             float64 `json:"latencyMs"`
	AccessTokenTTLSeconds int     `json:"accessTokenTtlSeconds"`
	FcmPort               int     `json:"fcmPort"`
	ApnsPort              int     `json:"apnsPort"`
	Fcm                   struct {
		ServiceAccounts []struct {
			ClientEmail  string   `json:"clientEmail"`
			PublicKeyPem string   `json:"publicKeyPem"`
			ProjectIDs   []string `json:"projectIds"`
		} `json:"serviceAccounts"`
	} `json:"fcm"`
	Apns struct {
		Keys []struct {
			TeamID       string   `json:"teamId"`
			KeyID        string   `json:"keyId"`
			PublicKeyPem string   `json:"publicKeyPem"`
			Topics       []string `json:"topics"`
		} `json:"keys"`
	} `json:"apns"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "push-sink:", err)
		os.Exit(2)
	}
}

func run() error {
	// One core answers ~100k requests/s; a second only adds cross-thread wake-ups (~20 % more CPU
	// per request), on a machine whose cores belong to the system under test. GOMAXPROCS overrides.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	// The live heap is small (buffers of requests in flight): collect less often.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	cfg, stdinConfig, err := readConfig()
	if err != nil {
		return err
	}
	fcm, apns, err := providers(cfg)
	if err != nil {
		return err
	}
	fcmListener, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(cfg.FcmPort))
	if err != nil {
		return fmt.Errorf("FCM listener: %w", err)
	}
	apnsListener, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(cfg.ApnsPort))
	if err != nil {
		return fmt.Errorf("APNs listener: %w", err)
	}
	fcmPort, apnsPort := fcmListener.Addr().(*net.TCPAddr).Port, apnsListener.Addr().(*net.TCPAddr).Port
	fcm.tokenURI = "http://127.0.0.1:" + strconv.Itoa(fcmPort) + tokenPath

	latency := time.Duration(cfg.LatencyMs * float64(time.Millisecond))
	var fcmStats, apnsStats listenerStats
	fcmServer, apnsServer := newH2Server(fcm, latency, &fcmStats), newH2Server(apns, latency, &apnsStats)
	go fcmServer.serve(fcmListener)
	go apnsServer.serve(apnsListener)

	stop := make(chan struct{})
	var once sync.Once
	stopNow := func() { once.Do(func() { close(stop) }) }
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-signals; stopNow() }()
	if stdinConfig {
		// The bench keeps stdin open: its end (the bench exited, however) stops the sink too.
		go func() { io.Copy(io.Discard, os.Stdin); stopNow() }()
	}

	out := &reporter{fcm: fcm, apns: apns, fcmStats: &fcmStats, apnsStats: &apnsStats}
	out.line(fmt.Appendf(nil, "listening fcm=%d apns=%d\n", fcmPort, apnsPort))
	out.run(stop)
	fcmListener.Close()
	apnsListener.Close()
	fcmServer.closeAll()
	apnsServer.closeAll()
	out.final()
	return nil
}

// readConfig reads the config from the file named by the first argument, else from stdin (true).
func readConfig() (*config, bool, error) {
	var source io.Reader = os.Stdin
	fromStdin := len(os.Args) < 2
	if !fromStdin {
		text, err := os.ReadFile(os.Args[1])
		if err != nil {
			return nil, false, err
		}
		source = bytes.NewReader(text)
	}
	decoder := json.NewDecoder(source)
	decoder.DisallowUnknownFields()
	cfg := &config{AccessTokenTTLSeconds: 3600}
	if err := decoder.Decode(cfg); err != nil {
		return nil, false, fmt.Errorf("config: %w", err)
	}
	if cfg.LatencyMs < 0 || cfg.AccessTokenTTLSeconds <= 0 {
		return nil, false, fmt.Errorf("config: latencyMs must be ≥ 0 and accessTokenTtlSeconds > 0")
	}
	return cfg, fromStdin, nil
}

func providers(cfg *config) (*fcmProvider, *apnsProvider, error) {
	fcm := &fcmProvider{accounts: map[string]*fcmAccount{}, issued: map[string]*issuedToken{}, ttlSeconds: cfg.AccessTokenTTLSeconds, sendNames: map[string][]byte{}}
	for _, a := range cfg.Fcm.ServiceAccounts {
		key, err := parseRSAPublicKey(a.PublicKeyPem)
		if err != nil {
			return nil, nil, fmt.Errorf("config: service account %q: %w", a.ClientEmail, err)
		}
		account := &fcmAccount{publicKey: key, projects: map[string]bool{}}
		for _, p := range a.ProjectIDs {
			account.projects[p] = true
			fcm.sendNames[p] = sendNamePrefix(p)
		}
		fcm.accounts[a.ClientEmail] = account
	}
	apns := &apnsProvider{keys: map[string]*apnsKey{}, verified: map[string]*verifiedJWT{}}
	for _, k := range cfg.Apns.Keys {
		key, err := parseP256PublicKey(k.PublicKeyPem)
		if err != nil {
			return nil, nil, fmt.Errorf("config: APNs key %q: %w", k.KeyID, err)
		}
		apns.keys[k.KeyID] = &apnsKey{keyID: k.KeyID, teamID: k.TeamID, publicKey: key, topics: fieldSet(k.Topics...)}
	}
	return fcm, apns, nil
}

// reporter writes the delivery and connection counts for the bench to read.
type reporter struct {
	fcm                 *fcmProvider
	apns                *apnsProvider
	fcmStats, apnsStats *listenerStats
	lastDelivered       [2]int64
	lastStats           [4]int64
}

func (r *reporter) line(b []byte) { os.Stdout.Write(b) }

func (r *reporter) delivered() [2]int64 {
	return [2]int64{r.fcm.delivered.Load(), r.apns.delivered.Load()}
}

func (r *reporter) stats() [4]int64 {
	return [4]int64{r.fcmStats.connections.Load(), r.fcmStats.maxActive.Load(), r.apnsStats.connections.Load(), r.apnsStats.maxActive.Load()}
}

func (r *reporter) writeDelivered(d [2]int64) {
	r.lastDelivered = d
	r.line(fmt.Appendf(nil, "d %d %d\n", d[0], d[1]))
}

func (r *reporter) writeStats(s [4]int64) {
	r.lastStats = s
	r.line(fmt.Appendf(nil, "s %d %d %d %d\n", s[0], s[1], s[2], s[3]))
}

func (r *reporter) run(stop <-chan struct{}) {
	ticker := time.NewTicker(5 * time.Millisecond)
	defer ticker.Stop()
	for tick := 1; ; tick++ {
		select {
		case <-stop:
			return
		case <-ticker.C:
		}
		if d := r.delivered(); d != r.lastDelivered {
			r.writeDelivered(d)
		}
		if tick%20 == 0 {
			if s := r.stats(); s != r.lastStats {
				r.writeStats(s)
			}
		}
	}
}

func (r *reporter) final() {
	r.writeDelivered(r.delivered())
	r.writeStats(r.stats())
}
