module switchboard.local/bench/push/sink

go 1.24
