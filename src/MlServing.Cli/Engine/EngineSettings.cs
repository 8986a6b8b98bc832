namespace MlServing.Cli.Engine;

/// <summary>How the in-process engine runs: repository, execution provider, threads, and the largest batch it must accept.</summary>
internal sealed record EngineSettings(string Repository, string Provider, int IntraOpThreads, int MaxRows, bool Verbose);
