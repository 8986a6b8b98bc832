namespace MlServing.Api.Validation;

/// <summary>Error codes validators attach to failures that are not a plain 400.</summary>
public static class ValidationErrorCodes
{
    public const string NotFound = "404";
    public const string NotReady = "503";
    public const string TooLarge = "413";
}
