namespace MlServing.Cli.Progress;

/// <summary>Receives the state of a run after every batch written.</summary>
internal interface IProgressSink
{
    /// <param name="rows">Rows scored and written so far.</param>
    /// <param name="skipped">Rows skipped as invalid so far.</param>
    /// <param name="fraction">The share of the input read (0 to 1), or null when the input's size is not known.</param>
    void Report(long rows, long skipped, double? fraction);
}
