using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MlServing.Grpc.Inference;
using MlServing.GrpcLoad;

// A small gRPC load generator (ghz is not available here; fastpath.sh prefers h2load, fed by --write-frame): N concurrent ModelInfer calls with raw contents, spread over
// one or more HTTP/2 channels, for D seconds after a warm-up; prints one line in the format of the wrk scripts:
// RESULT rps= p50_ms= p90_ms= p99_ms= errors= non2xx= total=
var address = new Option<string>("--address") { Description = "the gRPC (h2c) address", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
var model = new Option<string>("--model") { Description = "model name", Required = true };
var bodies = new Option<string>("--bodies") { Description = "binary tensor bodies (make_fastpath_bodies.py)", Required = true };
var concurrency = new Option<int>("--concurrency", "-c") { Description = "calls in flight", DefaultValueFactory = _ => 16 };
var channels = new Option<int>("--channels") { Description = "HTTP/2 connections the calls are spread over", DefaultValueFactory = _ => 1 };
var duration = new Option<int>("--duration", "-d") { Description = "seconds measured", DefaultValueFactory = _ => 8 };
var warmup = new Option<int>("--warmup") { Description = "seconds of load before measuring", DefaultValueFactory = _ => 2 };
var writeFrame = new Option<string?>("--write-frame") { Description = "write the first request as one gRPC length-prefixed message to this file (a body for h2load) and exit" };
var root = new RootCommand("gRPC ModelInfer load (raw contents)") { address, model, bodies, concurrency, channels, duration, warmup, writeFrame };
root.SetAction(async (parse, cancellation) =>
{
    var requests = BinaryBodies.Read(parse.GetValue(bodies)!, parse.GetValue(model)!);
    if (parse.GetValue(writeFrame) is { } framePath)
    {
        // gRPC's message framing: not compressed (0), the length as 4 bytes big-endian, the protobuf message.
        var message = requests[0].ToByteArray();
        var frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame, 5);
        await File.WriteAllBytesAsync(framePath, frame, cancellation);
        return 0;
    }

    var pool = Enumerable.Range(0, Math.Max(1, parse.GetValue(channels)))
        .Select(_ => GrpcChannel.ForAddress(parse.GetValue(address)!, new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null }))
        .ToArray();
    var clients = pool.Select(c => new GRPCInferenceService.GRPCInferenceServiceClient(c)).ToArray();
    var workers = parse.GetValue(concurrency);
    await RunAsync(TimeSpan.FromSeconds(parse.GetValue(warmup)), record: false);
    var (latencies, errors, elapsed) = await RunAsync(TimeSpan.FromSeconds(parse.GetValue(duration)), record: true);
    latencies.Sort();
    double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)(p / 100 * latencies.Count))];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RESULT rps={latencies.Count / elapsed:F1} p50_ms={Percentile(50):F3} p90_ms={Percentile(90):F3} p99_ms={Percentile(99):F3} errors={errors} non2xx=0 total={latencies.Count}"));
    foreach (var channel in pool)
    {
        channel.Dispose();
    }

    return errors == 0 ? 0 : 1;

    async Task<(List<double> Latencies, int Errors, double Seconds)> RunAsync(TimeSpan length, bool record)
    {
        var all = new List<double>();
        var failed = 0;
        var next = 0;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var tasks = Enumerable.Range(0, workers).Select(async w =>
        {
            var client = clients[w % clients.Length];
            var mine = new List<double>(4096);
            var errors = 0;
            while (Stopwatch.GetTimestamp() < end && !cancellation.IsCancellationRequested)
            {
                var request = requests[Interlocked.Increment(ref next) % requests.Count];
                var before = Stopwatch.GetTimestamp();
                try
                {
                    await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellation);
                    mine.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
                }
                catch (RpcException)
                {
                    errors++;
                }
            }

            lock (all)
            {
                all.AddRange(mine);
                failed += errors;
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        return (record ? all : [], failed, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
});
return await root.Parse(args).InvokeAsync();
