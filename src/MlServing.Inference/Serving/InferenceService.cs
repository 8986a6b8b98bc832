using Microsoft.Extensions.Options;
using MlServing.Inference.Errors;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;
using MlServing.Inference.Rollout;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Serving;

/// <summary>
/// The one place where a request meets a model version, whatever the front end: resolve and lease the version,
/// check the inputs against its signature, run its pipeline, and hand back outputs or a typed error.
/// </summary>
public sealed class InferenceService
{
    private const int ResolveAttempts = 8;

    private readonly ModelRepository _repository;
    private readonly ShadowRunner _shadows;
    private readonly TimeProvider _time;
    private readonly int _maxRows;

    public InferenceService(ModelRepository repository, ShadowRunner shadows, IOptions<InferenceLimitsOptions> limits, TimeProvider time)
    {
        _repository = repository;
        _shadows = shadows;
        _time = time;
        _maxRows = limits.Value.MaxRowsPerRequest;
    }

    public ModelRepository Repository => _repository;

    /// <summary>
    /// Finds the version a request asks for and leases it: the version serves this request to the end, whatever
    /// reloads happen meanwhile. A null model name is allowed when one model serves; a version may be a number or an
    /// alias; without one, the model's traffic policy chooses (its sticky header read through
    /// <paramref name="attribute"/>, e.g. an HTTP header or gRPC metadata), else the newest ready version answers.
    /// </summary>
    public ModelResolution Resolve<TState>(string? model, string? version, Func<TState, string, string?>? attribute, TState state)
    {
        for (var attempt = 0; attempt < ResolveAttempts; attempt++)
        {
            var (entry, error) = _repository.FindEntry(model);
            if (entry is null)
            {
                return new ModelResolution(null, error);
            }

            var routedBy = string.IsNullOrEmpty(version) ? entry.Traffic : null;
            var key = routedBy?.StickyHeader is { } header && attribute is not null ? attribute(state, header) : null;
            var lookup = routedBy is not null ? entry.Route(key) : entry.Find(version);
            if (lookup.Version is not { } found)
            {
                return new ModelResolution(null, lookup.Error);
            }

            if (found.TryAcquire())
            {
                return new ModelResolution(new ModelLease(found, entry, routedBy), null);
            }

            // Retired between the lookup and the lease: its replacement is already published, look again.
        }

        return new ModelResolution(null, InferenceError.Unavailable($"model '{model}' is being reloaded; retry"));
    }

    /// <summary>Resolves without request attributes (no sticky routing).</summary>
    public ModelResolution Resolve(string? model, string? version) => Resolve<object?>(model, version, null, null);

    /// <summary>Resolves, runs and releases in one call (front ends that need nothing from the model to decode).</summary>
    public async ValueTask<InferenceResponse> InferAsync(string? model, string? version, InferenceCall call, CancellationToken cancellationToken)
    {
        var (lease, error) = Resolve(model, version);
        if (lease is null)
        {
            return InferenceResponse.Failure(null, error!);
        }

        using (lease)
        {
            return await InferAsync(lease, call, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks <paramref name="call"/> against the leased version's signature and runs it; takes the call's tensors.</summary>
    public async ValueTask<InferenceResponse> InferAsync(ModelLease lease, InferenceCall call, CancellationToken cancellationToken)
    {
        var model = lease.Model;
        var signature = model.Signature;
        var ordered = new PooledTensor[signature.Inputs.Length];
        var error = SignatureValidator.Validate(call, signature, _maxRows, model.AllowNonFinite, ordered, out var rows);
        if (error is not null)
        {
            return InferenceResponse.Failure(model, error);
        }

        call.Detach();
        var deadline = call.Timeout is { } timeout
            ? _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency)
            : 0;
        using var request = new InferenceRequest(ordered, OutputIndices(call.OutputNames, model), rows)
        {
            DeadlineTimestamp = deadline,
            BypassCache = call.BypassCache,
            RequestId = call.RequestId,
        };
        var result = await model.Pipeline.InferAsync(request, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return InferenceResponse.Failure(model, result.Error!);
        }

        if (lease.RoutedBy is { } policy && policy.TakeShadow())
        {
            _shadows.Start(lease.Entry, model, policy.ShadowVersion!.Value, request, result.Outputs);
        }

        return InferenceResponse.Success(model, result.Outputs);
    }

    private static int[] OutputIndices(IReadOnlyList<string>? names, ModelVersion model)
    {
        if (names is not { Count: > 0 })
        {
            return model.Session.AllOutputs;
        }

        var indices = new int[names.Count];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = model.Signature.IndexOfOutput(names[i]);
        }

        return indices;
    }
}
