using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Observability;

namespace MlServing.Inference.Monitoring.Capture;

/// <summary>
/// Data capture off the request path (docs/MONITORING.md): answered requests are sampled at <c>SampleRate</c> and handed
/// to a bounded queue with <see cref="TryWrite"/>, which never waits; one background loop writes them as JSON Lines. When
/// the sink cannot keep up (a full disk, a blocked pipe) the queue fills and records are dropped and counted
/// (<c>mlserving_capture_dropped_total</c>), and answers are no slower.
/// </summary>
public sealed class CaptureWriter : BackgroundService
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly CaptureOptions _options;
    private readonly ILogger<CaptureWriter> _logger;
    private readonly Channel<CaptureRecord> _queue;
    private readonly LogThrottle _throttle;

    public CaptureWriter(IOptions<MonitoringOptions> options, TimeProvider time, ILogger<CaptureWriter> logger)
    {
        _options = options.Value.Capture;
        _logger = logger;
        _throttle = new LogThrottle(TimeSpan.FromSeconds(30), time);
        IsEnabled = options.Value.Enabled && _options.SampleRate > 0;
        _queue = Channel.CreateBounded<CaptureRecord>(new BoundedChannelOptions(_options.QueueSize)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public bool IsEnabled { get; }

    /// <summary>Whether to capture the request just answered (the sampling draw).</summary>
    public bool Sample() => IsEnabled && (_options.SampleRate >= 1 || Random.Shared.NextDouble() < _options.SampleRate);

    /// <summary>Queues a record, or drops and counts it when the queue is full; never waits.</summary>
    internal void TryWrite(CaptureRecord record)
    {
        if (!_queue.Writer.TryWrite(record))
        {
            record.Layout.Dropped.Inc();
            record.Dispose();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsEnabled)
        {
            return;
        }

        await Task.Yield();
        var reader = _queue.Reader;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var json = new Utf8JsonWriter(buffer);
        CaptureSink? sink = null;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (reader.TryRead(out var record))
                {
                    using (record)
                    {
                        buffer.ResetWrittenCount();
                        json.Reset(buffer);
                        CaptureJson.Write(json, record);
                        json.Flush();
                        buffer.Write(NewLine);
                        sink = Write(sink, buffer.WrittenSpan, record);
                    }
                }

                sink = Flush(sink);
            }
        }
        finally
        {
            sink?.Dispose();
        }
    }

    /// <summary>Completes the queue: what is in it is written before the loop ends (bounded by the host's shutdown timeout).</summary>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    private CaptureSink? Write(CaptureSink? sink, ReadOnlySpan<byte> line, CaptureRecord record)
    {
        try
        {
            sink ??= CaptureSink.Open(_options);
            sink.WriteLine(line);
            return sink;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            record.Layout.Dropped.Inc();
            return Fail(sink, ex);
        }
    }

    private CaptureSink? Flush(CaptureSink? sink)
    {
        try
        {
            sink?.Flush();
            return sink;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(sink, ex);
        }
    }

    /// <summary>Closes a failed sink; the next record opens it again.</summary>
    private CaptureSink? Fail(CaptureSink? sink, Exception ex)
    {
        if (_throttle.TryEnter(out _))
        {
            MonitoringLog.CaptureFailed(_logger, _options.Path, ex.Message);
        }

        try
        {
            sink?.Dispose();
        }
        catch (IOException)
        {
            // Its buffer could not be written either; those lines are lost with the failure just logged.
        }

        return null;
    }
}
