using MlServing.Cli.Tables;

namespace MlServing.Cli.Scoring;

/// <summary>How a run ended: rows written and skipped, and whether a bad row or Ctrl-C stopped it.</summary>
internal sealed record ScoreResult(long Rows, long Skipped, BadRow? Stop, bool Cancelled);
