using Microsoft.Extensions.Logging;
using MlServing.Inference.Errors;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Rollout;

/// <summary>
/// Mirrors requests to a shadow version after the primary answered: the copy shares the request's input buffers, runs
/// through the shadow's own pipeline without anyone waiting for it, and its answer is compared with the primary's and
/// counted (agree, disagree, error), never returned. A copy that cannot be queued is dropped and counted.
/// </summary>
public sealed partial class ShadowRunner
{
    /// <summary>Copies in flight at once, over all models; past it copies are dropped, so shadows never hold unbounded memory.</summary>
    public const int MaxInFlight = 256;

    private const double AbsoluteTolerance = 1e-5;
    private const double RelativeTolerance = 1e-4;

    private readonly RolloutMetrics _metrics;
    private readonly ILogger<ShadowRunner> _logger;
    private int _inFlight;

    public ShadowRunner(RolloutMetrics metrics, ILogger<ShadowRunner> logger)
    {
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Starts a shadow copy of <paramref name="request"/>; returns at once.</summary>
    public void Start(ModelEntry entry, ModelVersion primary, long shadowVersion, InferenceRequest request, PooledTensor[] primaryOutputs)
    {
        if (shadowVersion == primary.Version)
        {
            return;
        }

        var shadowText = shadowVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (entry.Loaded(shadowVersion) is not { } shadow || !shadow.TryAcquire())
        {
            Count(primary, shadowText, ShadowResult.Dropped);
            return;
        }

        if (Interlocked.Increment(ref _inFlight) > MaxInFlight || MapInputs(shadow, request.Inputs) is not { } inputs || MapOutputs(shadow, primaryOutputs) is not { } outputIndices)
        {
            Interlocked.Decrement(ref _inFlight);
            shadow.Release();
            Count(primary, shadowText, ShadowResult.Dropped);
            return;
        }

        var expected = new PooledTensor[primaryOutputs.Length];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = primaryOutputs[i].Share();
        }

        var copy = new InferenceRequest(inputs, outputIndices, request.Rows) { BypassCache = request.BypassCache };
        _ = RunAsync(primary, shadow, copy, expected);
    }

    private async Task RunAsync(ModelVersion primary, ModelVersion shadow, InferenceRequest copy, PooledTensor[] expected)
    {
        var outcome = ShadowResult.Error;
        try
        {
            using var result = await shadow.Pipeline.InferAsync(copy, CancellationToken.None).ConfigureAwait(false);
            outcome = result.Error is { Kind: InferenceErrorKind.QueueFull } ? ShadowResult.Dropped
                : !result.IsSuccess ? ShadowResult.Error
                : Agree(expected, result.Outputs) ? ShadowResult.Agree
                : ShadowResult.Disagree;
        }
        catch (Exception ex)
        {
            LogShadowFailed(_logger, primary.Name, shadow.VersionText, ex);
        }
        finally
        {
            copy.Dispose();
            foreach (var tensor in expected)
            {
                tensor.Dispose();
            }

            shadow.Release();
            Interlocked.Decrement(ref _inFlight);
        }

        Count(primary, shadow.VersionText, outcome);
    }

    private void Count(ModelVersion primary, string shadowVersion, ShadowResult result) =>
        _metrics.Shadow(primary.Name, primary.VersionText, shadowVersion, result).Inc();

    /// <summary>The request's inputs in the shadow's signature order (shared, not copied); null when the signatures differ.</summary>
    private static PooledTensor[]? MapInputs(ModelVersion shadow, PooledTensor[] inputs)
    {
        var signature = shadow.Signature;
        if (signature.Inputs.Length != inputs.Length)
        {
            return null;
        }

        var mapped = new PooledTensor[inputs.Length];
        foreach (var input in inputs)
        {
            var index = signature.IndexOfInput(input.Name);
            if (index < 0 || signature.Inputs[index].DataType != input.DataType)
            {
                foreach (var taken in mapped)
                {
                    taken?.Dispose();
                }

                return null;
            }

            mapped[index] = input.Share();
        }

        return mapped;
    }

    private static int[]? MapOutputs(ModelVersion shadow, PooledTensor[] outputs)
    {
        var indices = new int[outputs.Length];
        for (var i = 0; i < outputs.Length; i++)
        {
            indices[i] = shadow.Signature.IndexOfOutput(outputs[i].Name);
            if (indices[i] < 0)
            {
                return null;
            }
        }

        return indices;
    }

    /// <summary>Same labels and strings, every number within 1e-5 absolute + 1e-4 relative.</summary>
    internal static bool Agree(PooledTensor[] expected, PooledTensor[] actual)
    {
        if (expected.Length != actual.Length)
        {
            return false;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            var (a, b) = (expected[i], actual[i]);
            if (a.DataType != b.DataType || !a.Shape.AsSpan().SequenceEqual(b.Shape) || a.ElementCount != b.ElementCount)
            {
                return false;
            }

            var same = a.DataType switch
            {
                TensorDataType.Float32 => Close(a.AsSpan<float>(), b.AsSpan<float>()),
                TensorDataType.Float64 => Close(a.AsSpan<double>(), b.AsSpan<double>()),
                TensorDataType.Float16 => Close(a.AsSpan<Half>(), b.AsSpan<Half>()),
                TensorDataType.Bytes => a.Strings.SequenceEqual(b.Strings),
                _ => a.Bytes.SequenceEqual(b.Bytes),
            };
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    private static bool Close<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        for (var i = 0; i < a.Length; i++)
        {
            var x = double.CreateTruncating(a[i]);
            var y = double.CreateTruncating(b[i]);
            if (!(Math.Abs(x - y) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(x))) && !(x.Equals(y)))
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(EventId = 1301, EventName = "ShadowFailed", Level = LogLevel.Warning, Message = "A shadow copy of model {Model} to version {ShadowVersion} failed")]
    private static partial void LogShadowFailed(ILogger logger, string model, string shadowVersion, Exception exception);
}
