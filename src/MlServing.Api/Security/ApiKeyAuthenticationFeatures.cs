using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace MlServing.Api.Security;

/// <summary>
/// The request's authentication result and user, kept in step as the framework's own features object keeps them: setting
/// the user drops the result, setting the result sets the user. One per authenticated request (the user can be replaced).
/// </summary>
internal sealed class ApiKeyAuthenticationFeatures : IAuthenticateResultFeature, IHttpAuthenticationFeature
{
    private AuthenticateResult? _result;
    private ClaimsPrincipal? _user;

    public ApiKeyAuthenticationFeatures(AuthenticateResult result) => AuthenticateResult = result;

    public AuthenticateResult? AuthenticateResult
    {
        get => _result;
        set
        {
            _result = value;
            _user = value?.Principal;
        }
    }

    public ClaimsPrincipal? User
    {
        get => _user;
        set
        {
            _user = value;
            _result = null;
        }
    }
}
