-- post.lua: wrk script for the ingester benchmark: POST a two-line folded profile to
-- /ingest (the same request goes to nginx, which ignores it and answers 200).
wrk.method = "POST"
wrk.path = "/ingest?name=bench.app&format=folded&from=1700000000&until=1700000010"
wrk.body = "main;work;compute 12\nmain;idle 3\n"
wrk.headers["Content-Type"] = "text/plain"
