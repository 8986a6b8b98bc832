"""Groups `perf report --no-children --sort dso,symbol --stdio` self-time lines into stages of the request path.

Reads the report on stdin; argument 1 is the server's CPU microseconds per request over the same window. Prints the
share of samples and the microseconds per request of each stage, largest first. A JIT-compiled method goes by the type
that declares it (the token before '::', so a return or parameter type never decides); native code by its library. It
goes to the first stage with a matching pattern.
"""
import re
import sys

STAGES = [
    ("inference (ONNX Runtime native)", ["libonnxruntime", "Microsoft.ML.OnnxRuntime"]),
    ("engine: batcher", ["MlServing.Inference.Batching"]),
    ("engine: cache", ["MlServing.Inference.Caching", "System.IO.Hashing"]),
    ("engine: monitoring", ["MlServing.Inference.Monitoring"]),
    ("engine: service, validation, tensors", ["MlServing.Inference."]),
    ("front end: parse, decode, encode", ["MlServing.Api.Predict", "MlServing.Api.OpenInference", "MlServing.Api.Requests", "MlServing.Api.Validation", "FluentValidation"]),
    ("JSON (System.Text.Json)", ["System.Text.Json"]),
    ("observer: request id, metrics, log line", ["MlServing.Api.Observability", "Prometheus", "Serilog", "Microsoft.Extensions.Logging"]),
    ("security: keys, authorization, rate limits", ["MlServing.Api.Security", "Microsoft.AspNetCore.Authentication", "Microsoft.AspNetCore.Authorization", "Microsoft.AspNetCore.RateLimiting", "System.Threading.RateLimiting", "Microsoft.AspNetCore.Cors"]),
    ("exception handler, routing, endpoint glue", ["Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Http.", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.HostFiltering", "Microsoft.Extensions.DependencyInjection"]),
    ("Kestrel, HTTP parsing, pipes", ["Microsoft.AspNetCore.Server.Kestrel", "System.IO.Pipelines", "Microsoft.AspNetCore.Hosting", "System.Net.Http"]),
    ("sockets and kernel", ["System.Net.Sockets", "[kernel", "libc.so", "libpthread", "libSystem.Native"]),
    ("thread pool, tasks, async", ["System.Threading", "System.Runtime.CompilerServices"]),
    ("GC and allocation", ["gc_heap", "WKS::", "SVR::", "GCHeap", "memset", "memmove", "Alloc"]),
    ("other runtime (JIT stubs, type checks)", ["libcoreclr", "libclrjit", "System.Private.CoreLib", "System.Runtime"]),
]

cpu_us = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
totals = {name: 0.0 for name, _ in STAGES}
totals["other"] = 0.0
line_re = re.compile(r"^\s+([\d.]+)%\s+(.*?)\s+\[[.kH]\]\s+(.*)$")
for line in sys.stdin:
    match = line_re.match(line)
    if not match:
        continue
    share, dso, symbol = float(match.group(1)), match.group(2), match.group(3)
    declaring = symbol.split("::", 1)[0].split(" ")[-1] if "::" in symbol else symbol
    text = dso + " " + declaring
    for name, patterns in STAGES:
        if any(p in text for p in patterns):
            totals[name] += share
            break
    else:
        totals["other"] += share

whole = sum(totals.values()) or 1.0
print(f"{'stage':48} {'share':>7} {'us/req':>8}")
for name, share in sorted(totals.items(), key=lambda item: -item[1]):
    part = share / whole
    print(f"{name:48} {part * 100:6.1f}% {part * cpu_us:8.2f}")
