namespace MlServing.Cli;

/// <summary>The process exit codes of <c>mlserving</c> (docs/CLI.md).</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Usage, file, model or server errors.</summary>
    public const int Failure = 1;

    /// <summary>A row of the input could not be scored (a bad cell); the message names its line and column.</summary>
    public const int InvalidData = 2;

    /// <summary>Interrupted (Ctrl-C / SIGINT): the output holds the rows scored so far and can be resumed.</summary>
    public const int Cancelled = 130;
}
