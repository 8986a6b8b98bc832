using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlServing.Cli.Progress;

/// <summary>A Spectre.Console progress bar on standard error (a terminal): share read, rows, rows/s and ETA.</summary>
internal sealed class SpectreProgress : IProgressSink
{
    private const double Scale = 10_000;

    private readonly ProgressTask _task;
    private readonly ProgressRate _rate;
    private long _rows;

    private SpectreProgress(ProgressTask task, TimeProvider time)
    {
        _task = task;
        _rate = new ProgressRate(time);
    }

    /// <summary>Runs <paramref name="work"/> under a live progress display.</summary>
    public static Task<T> RunAsync<T>(TextWriter error, string description, TimeProvider time, Func<IProgressSink, Task<T>> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error), Interactive = InteractionSupport.Yes });
        SpectreProgress? sink = null;
        return console.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RowsColumn(() => sink),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: Scale);
                sink = new SpectreProgress(task, time);
                var result = await work(sink).ConfigureAwait(false);
                task.Value = Scale;
                return result;
            });
    }

    public void Report(long rows, long skipped, double? fraction)
    {
        Volatile.Write(ref _rows, rows);
        _task.IsIndeterminate = fraction is null;
        if (fraction is { } share)
        {
            _task.Value = share * Scale;
        }
    }

    private sealed class RowsColumn(Func<SpectreProgress?> sink) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (sink() is not { } progress)
            {
                return Text.Empty;
            }

            var rows = Volatile.Read(ref progress._rows);
            return new Text(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} rows, {progress._rate.RowsPerSecond(rows):N0} rows/s"));
        }
    }
}
