namespace MlServing.Cli.Tables;

/// <summary>
/// How an input is read: rows per batch, whether bad rows are skipped, how many valid rows a resumed output already
/// holds, and whether a CSV input's lines are kept whole for an output of the same format (instead of cell by cell).
/// </summary>
internal sealed record ReadSettings(int BatchSize, bool SkipInvalid, long ResumeRows, bool KeepLines = false);
