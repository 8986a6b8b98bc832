using MlServing.Cli;

return await CliApplication.InvokeAsync(args, CliConsole.System, handleSignals: true);
