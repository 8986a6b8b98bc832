using System.CommandLine;
using System.Globalization;
using MlServing.Cli.Engine;
using MlServing.Cli.Progress;
using MlServing.Cli.Scoring;
using MlServing.Cli.Tables;
using MlServing.Client;

namespace MlServing.Cli.Commands;

/// <summary><c>mlserving score</c>: scores a CSV or Parquet file in this process, or through a running server with <c>--url</c>.</summary>
internal static class ScoreCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var common = new CommonOptions();
        var input = new Option<string>("--input") { Description = "The file to score (.csv, .tsv or .parquet); the header names the columns", Required = true, HelpName = "FILE" };
        var output = new Option<string>("--output") { Description = "Where to write the input columns plus the predictions (.csv, .tsv or .parquet)", Required = true, HelpName = "FILE" };
        var url = new Option<string?>("--url") { Description = "Score through a running server at this address instead of in this process", HelpName = "http://host:8080" };
        var apiKey = new Option<string?>("--api-key") { Description = "API key for --url, sent as Authorization: Bearer (default: the MLSERVING_API_KEY environment variable)", HelpName = "KEY" };
        var transport = new Option<MlServingTransport>("--transport")
        {
            Description = "How batches travel to --url: json (OIP REST), binary (REST binary tensors) or grpc (OIP gRPC, raw contents)",
            DefaultValueFactory = _ => MlServingTransport.Json,
            HelpName = "json|binary|grpc",
        };
        var grpcUrl = new Option<string?>("--grpc-url") { Description = "The server's gRPC address for --transport grpc (default: --url's host on port 8081)", HelpName = "http://host:8081" };
        var resume = new Option<bool>("--resume") { Description = "Continue an output left by an interrupted run: skip the rows it holds and append" };
        var concurrency = CommonOptions.Positive(new Option<int>("--concurrency") { Description = "Batches being scored at once (default: 1 in this process, 4 through a server)", HelpName = "N" }, 64, allowZero: true);
        var rowGroup = CommonOptions.Positive(new Option<int>("--row-group-size") { Description = "Rows per row group of a Parquet output", DefaultValueFactory = _ => 65_536, HelpName = "ROWS" }, 10_000_000);
        var interval = new Option<double>("--progress-interval") { Description = "Seconds between progress lines when standard error is not a terminal (0 = after every batch)", DefaultValueFactory = _ => 2, HelpName = "SECONDS" };
        var reportMemory = new Option<bool>("--report-memory") { Description = "Print the process's peak memory (VmHWM) at the end" };

        var command = new Command("score", "Score a CSV or Parquet file: the output is the input's columns plus one column per prediction");
        common.AddTo(command);
        command.Options.Add(input);
        command.Options.Add(output);
        command.Options.Add(url);
        command.Options.Add(apiKey);
        command.Options.Add(transport);
        command.Options.Add(grpcUrl);
        command.Options.Add(resume);
        command.Options.Add(concurrency);
        command.Options.Add(rowGroup);
        command.Options.Add(interval);
        command.Options.Add(reportMemory);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(console, () =>
        {
            var remote = parse.GetValue(url) is { } address
                ? new RemoteSettings(
                    ParseUrl("--url", address),
                    parse.GetValue(grpcUrl) is { } grpc ? ParseUrl("--grpc-url", grpc) : null,
                    parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("MLSERVING_API_KEY"),
                    parse.GetValue(transport))
                : null;
            var settings = new ScoreSettings(
                Repository: parse.GetValue(common.Repository)!,
                Model: parse.GetValue(common.Model)!,
                Version: parse.GetValue(common.Version),
                Input: parse.GetValue(input)!,
                Output: parse.GetValue(output)!,
                BatchSize: parse.GetValue(common.BatchSize),
                SkipInvalid: parse.GetValue(common.SkipInvalid),
                Resume: parse.GetValue(resume),
                Remote: remote,
                Concurrency: parse.GetValue(concurrency) is > 0 and var n ? n : remote is null ? 1 : 4,
                RowGroupSize: parse.GetValue(rowGroup),
                ProgressInterval: TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(interval))),
                ReportMemory: parse.GetValue(reportMemory),
                Engine: new EngineSettings(parse.GetValue(common.Repository)!, parse.GetValue(common.Provider)!, parse.GetValue(common.Threads), parse.GetValue(common.BatchSize), parse.GetValue(common.Verbose)));
            return RunAsync(settings, console, time, cancellationToken);
        }));
        return command;
    }

    private static async Task<int> RunAsync(ScoreSettings settings, CliConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        var inputFormat = TableFormats.FromPath(settings.Input);
        var outputFormat = TableFormats.FromPath(settings.Output);
        if (Path.GetFullPath(settings.Input) == Path.GetFullPath(settings.Output))
        {
            throw new CliException("--output must not be the input file");
        }

        if (!File.Exists(settings.Input))
        {
            throw new CliException($"input file {settings.Input} does not exist");
        }

        var existing = settings.Resume ? await ExistingOutput.ReadAsync(settings.Output, outputFormat, cancellationToken).ConfigureAwait(false) : null;
        await using var scorer = settings.Remote is { } remote
            ? (IBatchScorer)await RemoteScorer.OpenAsync(remote, Directory.Exists(settings.Repository) ? settings.Repository : null, settings.Model, settings.Version, cancellationToken).ConfigureAwait(false)
            : new EngineScorer(await LocalEngine.OpenAsync(settings.Engine, settings.Model, settings.Version, cancellationToken).ConfigureAwait(false));
        var read = new ReadSettings(settings.BatchSize, settings.SkipInvalid, existing?.Rows ?? 0, KeepLines: inputFormat == outputFormat);
        var reader = inputFormat == TableFormat.Parquet
            ? (ITableReader)await ParquetTableReader.OpenAsync(settings.Input, scorer.Model, read, cancellationToken).ConfigureAwait(false)
            : CsvTableReader.Open(settings.Input, inputFormat, scorer.Model, read);
        if (existing is not null)
        {
            await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"resuming: {settings.Output} holds {existing.Rows:N0} scored rows; skipping as many valid input rows")).ConfigureAwait(false);
        }

        var pipeline = new ScoringPipeline(reader, scorer, predictions => OpenWriterAsync(settings, outputFormat, reader, predictions, existing, cancellationToken), console.Error, settings.Concurrency, time);
        var started = time.GetTimestamp();
        ScoreResult result;
        try
        {
            var description = $"{Path.GetFileName(settings.Input)} → {scorer.Model.Name}";
            result = console.ErrorIsTerminal
                ? await SpectreProgress.RunAsync(console.Error, description, time, sink => pipeline.RunAsync(sink, writeEmpty: existing is null, cancellationToken)).ConfigureAwait(false)
                : await pipeline.RunAsync(new PlainProgress(console.Error, settings.ProgressInterval, time), writeEmpty: existing is null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (pipeline.ReaderFinished)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }

        return await ReportAsync(settings, scorer, existing, result, time.GetElapsedTime(started), console).ConfigureAwait(false);
    }

    private static async ValueTask<ITableWriter> OpenWriterAsync(ScoreSettings settings, TableFormat format, ITableReader reader, PredictionColumns predictions, ExistingOutput? existing, CancellationToken cancellationToken)
    {
        var layout = new OutputLayout(reader.Columns, reader.Fields, predictions);
        existing?.CheckColumns(settings.Output, layout.Names);
        return format == TableFormat.Parquet
            ? await ParquetTableWriter.OpenAsync(settings.Output, layout, existing is not null, settings.RowGroupSize, cancellationToken).ConfigureAwait(false)
            : CsvTableWriter.Open(settings.Output, format, layout, existing is not null);
    }

    private static async Task<int> ReportAsync(ScoreSettings settings, IBatchScorer scorer, ExistingOutput? existing, ScoreResult result, TimeSpan elapsed, CliConsole console)
    {
        var error = console.Error;
        var rate = elapsed.TotalSeconds > 0 ? result.Rows / elapsed.TotalSeconds : 0;
        var total = result.Rows + (existing?.Rows ?? 0);
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"scored {result.Rows:N0} rows of {settings.Input} with {scorer.Model.Name} version {scorer.Version}{(settings.Remote is null ? string.Empty : $" at {settings.Remote.Url} ({settings.Remote.Transport.ToString().ToLowerInvariant()})")} into {settings.Output} ({total:N0} rows) in {ProgressRate.Format(elapsed)} ({rate:N0} rows/s)")).ConfigureAwait(false);
        if (result.Skipped > 0)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"skipped {result.Skipped:N0} invalid row(s), listed above")).ConfigureAwait(false);
        }

        if (settings.ReportMemory)
        {
            await error.WriteLineAsync($"peak-memory-kb: {PeakMemory.ReadKilobytes()?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}").ConfigureAwait(false);
        }

        if (result.Cancelled)
        {
            await error.WriteLineAsync($"interrupted: {settings.Output} holds every row scored so far; run the same command with --resume to continue").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }

        if (result.Stop is { } bad)
        {
            await error.WriteLineAsync($"error: {bad}").ConfigureAwait(false);
            await error.WriteLineAsync($"the rows before it are in {settings.Output}; fix the cell and run again with --resume, or pass --skip-invalid to skip such rows").ConfigureAwait(false);
            return ExitCodes.InvalidData;
        }

        return ExitCodes.Success;
    }

    private static Uri ParseUrl(string option, string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new CliException($"{option} must be an absolute http:// or https:// address, got '{address}'");

    private sealed record ScoreSettings(
        string Repository,
        string Model,
        string? Version,
        string Input,
        string Output,
        int BatchSize,
        bool SkipInvalid,
        bool Resume,
        RemoteSettings? Remote,
        int Concurrency,
        int RowGroupSize,
        TimeSpan ProgressInterval,
        bool ReportMemory,
        EngineSettings Engine);
}
