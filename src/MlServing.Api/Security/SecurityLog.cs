namespace MlServing.Api.Security;

internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 2201, EventName = "ApiKeysLoaded", Level = LogLevel.Information,
        Message = "API keys: {Count} in force ({Source}); authentication is {State}")]
    public static partial void Loaded(ILogger logger, int count, string source, string state);

    [LoggerMessage(EventId = 2202, EventName = "ApiKeysReloadRefused", Level = LogLevel.Error,
        Message = "The keys file {File} changed but cannot be used; the {Count} key(s) in force stay: {Reason}")]
    public static partial void ReloadRefused(ILogger logger, string file, int count, string reason);

    [LoggerMessage(EventId = 2203, EventName = "ApiKeysReloaded", Level = LogLevel.Information,
        Message = "The keys file {File} changed: {Count} key(s) now in force")]
    public static partial void Reloaded(ILogger logger, string file, int count);

    [LoggerMessage(EventId = 2204, EventName = "AuthenticationTurnedOff", Level = LogLevel.Warning,
        Message = "The keys file {File} now lists no key and no key is configured: authentication is OFF, every route is open")]
    public static partial void TurnedOff(ILogger logger, string file);
}
