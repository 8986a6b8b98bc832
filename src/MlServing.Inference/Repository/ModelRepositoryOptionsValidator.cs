using Microsoft.Extensions.Options;

namespace MlServing.Inference.Repository;

internal sealed class ModelRepositoryOptionsValidator : IValidateOptions<ModelRepositoryOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelRepositoryOptions options) =>
        string.IsNullOrWhiteSpace(options.Path)
            ? ValidateOptionsResult.Fail($"{ModelRepositoryOptions.SectionName}:Path must name a folder.")
            : ValidateOptionsResult.Success;
}
