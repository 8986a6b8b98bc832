namespace MlServing.Cli.Tables;

/// <summary>How an input is read: rows per batch, whether bad rows are skipped, and how many valid rows a resumed output already holds.</summary>
internal sealed record ReadSettings(int BatchSize, bool SkipInvalid, long ResumeRows);
