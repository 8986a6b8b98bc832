using System.CommandLine;
using System.Globalization;
using MlServing.Cli.Engine;
using MlServing.Cli.Profiling;
using MlServing.Cli.Scoring;
using MlServing.Cli.Tables;
using MlServing.Inference.Monitoring;

namespace MlServing.Cli.Commands;

/// <summary><c>mlserving profile</c>: writes a model's reference profile (profile.json) from its training data.</summary>
internal static class ProfileCommand
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var common = new CommonOptions();
        var data = new Option<string>("--data") { Description = "Training data (.csv, .tsv or .parquet) with the model's feature columns", Required = true, HelpName = "FILE" };
        var bins = CommonOptions.Positive(new Option<int>("--bins") { Description = "Quantile bins per feature", DefaultValueFactory = _ => 10, HelpName = "N" }, 1000);
        var output = new Option<string?>("--output") { Description = "Where to write the profile (default: <repo>/<model>/profile.json)", HelpName = "PATH" };
        var command = new Command("profile", "Write a model's reference profile (profile.json): quantile bins per feature and the share of each predicted class, from training data");
        common.AddTo(command);
        command.Options.Add(data);
        command.Options.Add(bins);
        command.Options.Add(output);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(console, async () =>
        {
            var repository = parse.GetValue(common.Repository)!;
            var model = parse.GetValue(common.Model)!;
            var dataPath = parse.GetValue(data)!;
            var target = parse.GetValue(output) ?? Path.Combine(repository, model, ReferenceProfile.FileName);
            var format = TableFormats.FromPath(dataPath);
            if (!File.Exists(dataPath))
            {
                throw new CliException($"data file {dataPath} does not exist");
            }

            var started = time.GetTimestamp();
            var engine = new EngineSettings(repository, parse.GetValue(common.Provider)!, parse.GetValue(common.Threads), parse.GetValue(common.BatchSize), parse.GetValue(common.Verbose));
            await using var scorer = new EngineScorer(await LocalEngine.OpenAsync(engine, model, parse.GetValue(common.Version), cancellationToken).ConfigureAwait(false));
            var read = new ReadSettings(parse.GetValue(common.BatchSize), parse.GetValue(common.SkipInvalid), 0);
            await using var reader = format == TableFormat.Parquet
                ? (ITableReader)await ParquetTableReader.OpenAsync(dataPath, scorer.Model, read, cancellationToken).ConfigureAwait(false)
                : CsvTableReader.Open(dataPath, format, scorer.Model, read);
            var builder = new ProfileBuilder(scorer.Model, parse.GetValue(bins));
            var skipped = await builder.AddAsync(reader, scorer, console.Error, cancellationToken).ConfigureAwait(false);
            var profile = builder.Build();
            var directory = Path.GetDirectoryName(Path.GetFullPath(target));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            await using (var file = new FileStream(target, FileMode.Create, FileAccess.Write))
            {
                profile.Write(file);
                file.WriteByte((byte)'\n');
            }

            await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"wrote {target}: {profile.Rows:N0} rows of {dataPath} ({profile.Features.Length} features, {profile.Outputs.Length} class output(s)) with {scorer.Model.Name} version {scorer.Version}{(skipped > 0 ? $", {skipped:N0} invalid rows skipped" : string.Empty)} in {Progress.ProgressRate.Format(time.GetElapsedTime(started))}")).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }
}
