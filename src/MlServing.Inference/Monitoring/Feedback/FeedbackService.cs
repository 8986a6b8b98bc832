using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Caching;
using MlServing.Inference.Errors;
using MlServing.Inference.Redis;
using StackExchange.Redis;

namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>
/// Joins ground truth to stored predictions (docs/MONITORING.md): the store is Redis when <c>ConnectionStrings:Redis</c>
/// is set (any replica can join), in-process memory by default, or none. A joined prediction leaves the store, so each
/// request's truth counts once.
/// </summary>
public sealed class FeedbackService
{
    private readonly ModelMonitors _monitors;

    public FeedbackService(IOptions<MonitoringOptions> options, IOptions<CacheOptions> cache, RedisConnection redis, ModelMonitors monitors, TimeProvider time, ILoggerFactory loggers)
    {
        _monitors = monitors;
        var monitoring = options.Value;
        Ttl = TimeSpan.FromSeconds(monitoring.FeedbackTtlSeconds);
        var provider = !monitoring.Enabled ? "none"
            : string.IsNullOrEmpty(monitoring.FeedbackProvider) ? redis.IsConfigured ? "redis" : "memory"
            : monitoring.FeedbackProvider;
        Store = provider switch
        {
            "none" => null,
            "redis" => new RedisFeedbackStore(
                redis.IsConfigured ? redis : throw new OptionsValidationException(nameof(MonitoringOptions), typeof(MonitoringOptions), ["MlServing:Monitoring:FeedbackProvider is redis but ConnectionStrings:Redis is not set."]),
                cache.Value.KeyPrefix,
                time,
                loggers.CreateLogger<RedisFeedbackStore>()),
            _ => new MemoryFeedbackStore(monitoring.FeedbackMaxEntries, time),
        };
    }

    /// <summary>Null when predictions are not stored (monitoring off, or FeedbackProvider=none).</summary>
    public IFeedbackStore? Store { get; }

    public TimeSpan Ttl { get; }

    /// <summary>Joins <paramref name="truth"/> to the prediction stored for <paramref name="requestId"/>: null when joined, else why not.</summary>
    public async ValueTask<InferenceError?> JoinAsync(string model, string requestId, FeedbackTruth truth, CancellationToken cancellationToken)
    {
        if (Store is not { } store)
        {
            return InferenceError.NotFound($"no prediction is stored for feedback (monitoring is off or MlServing:Monitoring:FeedbackProvider is none), so request '{requestId}' is unknown");
        }

        StoredPrediction? stored;
        try
        {
            stored = await store.GetAsync(model, requestId, cancellationToken).ConfigureAwait(false);
            var error = stored is null ? Unknown(model, requestId) : Check(stored, truth, requestId);
            if (error is not null)
            {
                return error;
            }

            if (!await store.RemoveAsync(model, requestId, cancellationToken).ConfigureAwait(false))
            {
                return Unknown(model, requestId);
            }
        }
        catch (RedisException ex)
        {
            return InferenceError.Unavailable("the feedback store (Redis) is unavailable: " + ex.Message);
        }

        _monitors.Find(model, stored!.Version)?.RecordFeedback(stored, truth);
        return null;
    }

    private static InferenceError Unknown(string model, string requestId) =>
        InferenceError.NotFound($"no prediction of model '{model}' with id '{requestId}' is waiting for feedback (unknown, already joined, or older than MlServing:Monitoring:FeedbackTtlSeconds)");

    private static InferenceError? Check(StoredPrediction stored, FeedbackTruth truth, string requestId)
    {
        if (stored.Classes is not null && truth.Labels is null)
        {
            return InferenceError.Invalid("values", $"request '{requestId}' predicted classes: send its true classes as 'labels'");
        }

        if (stored.Values is not null && truth.Values is null)
        {
            return InferenceError.Invalid("labels", $"request '{requestId}' predicted values (regression): send its true values as 'values'");
        }

        var given = truth.Labels?.Length ?? truth.Values!.Length;
        return given == stored.Rows
            ? null
            : InferenceError.Invalid(
                truth.Labels is not null ? "labels" : "values",
                string.Create(CultureInfo.InvariantCulture, $"{given} row(s) of truth for request '{requestId}', which predicted {stored.Rows} row(s): send one per row"));
    }
}
