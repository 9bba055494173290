module switchboard.local/services/push/h2-hpack-gen

go 1.26.0

require golang.org/x/net v0.63.0
