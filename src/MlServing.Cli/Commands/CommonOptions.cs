using System.CommandLine;

namespace MlServing.Cli.Commands;

/// <summary>Options that <c>score</c> and <c>profile</c> share.</summary>
internal sealed class CommonOptions
{
    public Option<string> Repository { get; } = new("--repo") { Description = "The model repository (Triton layout)", DefaultValueFactory = _ => "models", HelpName = "DIR" };

    public Option<string> Model { get; } = new("--model") { Description = "The model to use (a folder of the repository)", Required = true, HelpName = "NAME" };

    public Option<string?> Version { get; } = new("--version") { Description = "The model version (default: the newest that loads)", HelpName = "V" };

    public Option<int> BatchSize { get; } = Positive(new Option<int>("--batch-size") { Description = "Rows per batch through the model", DefaultValueFactory = _ => 1024, HelpName = "ROWS" }, 1_000_000);

    public Option<bool> SkipInvalid { get; } = new("--skip-invalid") { Description = "Skip rows with a bad cell and list them on standard error, instead of stopping (exit code 2)" };

    public Option<string> Provider { get; } = new Option<string>("--provider") { Description = "ONNX Runtime execution provider", DefaultValueFactory = _ => "cpu" }.AcceptOnlyFromAmong("cpu", "cuda");

    public Option<int> Threads { get; } = Positive(new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0 = its default: one per core)", DefaultValueFactory = _ => 0, HelpName = "N" }, 1024, allowZero: true);

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Log the engine's information messages (model loading, warm-up) on standard error" };

    public void AddTo(Command command)
    {
        command.Options.Add(Repository);
        command.Options.Add(Model);
        command.Options.Add(Version);
        command.Options.Add(BatchSize);
        command.Options.Add(SkipInvalid);
        command.Options.Add(Provider);
        command.Options.Add(Threads);
        command.Options.Add(Verbose);
    }

    public static Option<int> Positive(Option<int> option, int max, bool allowZero = false)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < (allowZero ? 0 : 1) || value > max)
            {
                result.AddError($"{option.Name} must be between {(allowZero ? 0 : 1)} and {max:N0}, got {value}");
            }
        });
        return option;
    }
}
