using Microsoft.Extensions.Options;

namespace Orchestrator.Executor.Destinations.Dirac;

public sealed class DiracOptionsValidator : IValidateOptions<DiracOptions>
{
    public ValidateOptionsResult Validate(string? name, DiracOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            errors.Add($"{DiracOptions.Section}:Url must be DiracX's http(s) address, not '{options.Url}'.");
        if (string.IsNullOrWhiteSpace(options.AccessToken) && string.IsNullOrWhiteSpace(options.RefreshToken)
            && string.IsNullOrWhiteSpace(options.RefreshTokenFile))
            errors.Add($"{DiracOptions.Section} needs credentials: RefreshTokenFile, RefreshToken or AccessToken.");
        if (string.IsNullOrWhiteSpace(options.ClientId))
            errors.Add($"{DiracOptions.Section}:ClientId must not be empty.");
        if (options.RequestTimeout <= TimeSpan.Zero)
            errors.Add($"{DiracOptions.Section}:RequestTimeout must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
