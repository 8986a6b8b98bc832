using Microsoft.Extensions.Options;

namespace MlServing.Api.Grpc;

[OptionsValidator]
internal sealed partial class GrpcOptionsValidator : IValidateOptions<GrpcOptions>;
