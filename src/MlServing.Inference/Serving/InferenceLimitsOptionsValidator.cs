using Microsoft.Extensions.Options;

namespace MlServing.Inference.Serving;

[OptionsValidator]
internal sealed partial class InferenceLimitsOptionsValidator : IValidateOptions<InferenceLimitsOptions>;
