using FluentValidation;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Repository;

/// <summary>Checks a model's config.json on load; a failure fails only that model.</summary>
public sealed class ModelConfigValidator : AbstractValidator<ModelConfig>
{
    public ModelConfigValidator()
    {
        RuleFor(c => c.MaxBatchSize).GreaterThanOrEqualTo(0).WithName("maxBatchSize");
        RuleFor(c => c.ExecutionProvider)
            .Must(p => p is null || p.Equals("cpu", StringComparison.OrdinalIgnoreCase) || p.Equals("cuda", StringComparison.OrdinalIgnoreCase))
            .WithName("executionProvider").WithMessage("'executionProvider' must be \"cpu\" or \"cuda\".");
        RuleFor(c => c.DeviceId).GreaterThanOrEqualTo(0).WithName("deviceId");
        RuleFor(c => c.Features).Must(BeDistinctAndNonEmpty).When(c => c.Features is not null)
            .WithName("features").WithMessage("'features' must be non-empty, distinct names.");
        RuleFor(c => c.Labels).Must(BeDistinctAndNonEmpty).When(c => c.Labels is not null)
            .WithName("labels").WithMessage("'labels' must be non-empty, distinct names.");
        RuleFor(c => c.Redact).Must(BeDistinctAndNonEmpty).When(c => c.Redact is not null)
            .WithName("redact").WithMessage("'redact' must be non-empty, distinct names.");
        RuleFor(c => c.AccuracyFloor).InclusiveBetween(0, 1).WithName("accuracyFloor");

        When(c => c.Batching is not null, () =>
        {
            RuleFor(c => c.Batching!.MaxQueueDelayMicroseconds).GreaterThanOrEqualTo(0).WithName("batching.maxQueueDelayMicroseconds");
            RuleFor(c => c.Batching!.MaxQueueSize).GreaterThan(0).WithName("batching.maxQueueSize");
            RuleFor(c => c.Batching!.Instances).InclusiveBetween(1, 64).WithName("batching.instances");
            RuleForEach(c => c.Batching!.PreferredBatchSizes).GreaterThan(0).OverridePropertyName("batching.preferredBatchSizes");
        });

        When(c => c.VersionPolicy is not null, () =>
        {
            RuleFor(c => c.VersionPolicy!)
                .Must(p => (p.Latest is not null ? 1 : 0) + (p.All is not null ? 1 : 0) + (p.Specific is not null ? 1 : 0) == 1)
                .WithName("versionPolicy").WithMessage("'versionPolicy' must set exactly one of latest, all, specific.");
            RuleFor(c => c.VersionPolicy!.Latest).GreaterThanOrEqualTo(1).WithName("versionPolicy.latest");
            RuleFor(c => c.VersionPolicy!.Specific).NotEmpty().When(c => c.VersionPolicy!.Specific is not null).WithName("versionPolicy.specific");
            RuleForEach(c => c.VersionPolicy!.Specific).GreaterThan(0).OverridePropertyName("versionPolicy.specific");
        });

        RuleForEach(c => c.Aliases)
            .Must(a => a.Key.Length > 0 && !a.Key.All(char.IsAsciiDigit) && a.Value > 0)
            .When(c => c.Aliases is not null)
            .OverridePropertyName("aliases")
            .WithMessage("'aliases' maps names (not numbers) to positive version numbers.");

        When(c => c.Traffic?.Split is not null, () =>
            RuleForEach(c => c.Traffic!.Split)
                .Must(w => w.Key.Length > 0 && double.IsFinite(w.Value) && w.Value >= 0)
                .OverridePropertyName("traffic.split")
                .WithMessage("'traffic.split' maps versions or aliases to finite weights >= 0."));
        When(c => c.Traffic?.Split is { Count: > 0 }, () =>
            RuleFor(c => c.Traffic!.Split!.Values.Sum()).GreaterThan(0).OverridePropertyName("traffic.split")
                .WithMessage("'traffic.split' weights must sum to more than 0."));
        When(c => c.Traffic?.Shadow is not null, () =>
        {
            RuleFor(c => c.Traffic!.Shadow!.Version).NotEmpty().OverridePropertyName("traffic.shadow.version");
            RuleFor(c => c.Traffic!.Shadow!.Percent).InclusiveBetween(0, 100).OverridePropertyName("traffic.shadow.percent");
        });

        When(c => c.Cache is not null, () =>
            RuleFor(c => c.Cache!.TtlSeconds).GreaterThan(0).WithName("cache.ttlSeconds"));

        When(c => c.Warmup?.Inputs is not null, () =>
            RuleForEach(c => c.Warmup!.Inputs).ChildRules(input =>
            {
                input.RuleFor(t => t.Name).NotEmpty();
                input.RuleFor(t => t.Datatype).Must(d => d is not null && TensorDataTypes.TryParse(d, out _))
                    .WithMessage("'datatype' must be one of " + string.Join(", ", TensorDataTypes.AllProtocolNames) + ".");
                input.RuleFor(t => t.Shape).NotNull();
                input.RuleForEach(t => t.Shape).GreaterThanOrEqualTo(0);
            }).OverridePropertyName("warmup.inputs"));
    }

    private static bool BeDistinctAndNonEmpty(string[]? names) =>
        names is { Length: > 0 } && names.All(n => !string.IsNullOrEmpty(n)) && names.Distinct(StringComparer.Ordinal).Count() == names.Length;
}
