using Microsoft.Extensions.Options;

namespace MlServing.Api.Requests;

[OptionsValidator]
internal sealed partial class RequestLimitsOptionsValidator : IValidateOptions<RequestLimitsOptions>;
