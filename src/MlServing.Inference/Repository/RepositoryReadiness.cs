namespace MlServing.Inference.Repository;

/// <summary>Whether the repository serves everything it should (docs/OBSERVABILITY.md), and if not, why.</summary>
public sealed record RepositoryReadiness(bool Ready, string Reason)
{
    public static RepositoryReadiness Evaluate(ModelRepository repository, bool strict)
    {
        if (!repository.InitialLoadCompleted)
        {
            return new(false, "models are loading");
        }

        var served = 0;
        string? failure = null;
        foreach (var entry in repository.Models)
        {
            if (entry.Unloaded)
            {
                continue;
            }

            if (entry.Latest is not null)
            {
                served++;
            }

            if (!entry.FullyLoaded && failure is null)
            {
                failure = $"model '{entry.Name}' is not fully loaded: {entry.Reason ?? string.Join("; ", entry.Versions.Where(v => v.Reason is not null).Select(v => $"version {v.Version}: {v.Reason}"))}";
            }
        }

        if (served == 0)
        {
            return new(false, failure ?? $"no model is ready (repository {repository.RootPath} is empty)");
        }

        return strict && failure is not null ? new(false, failure) : new(true, "ready");
    }
}
