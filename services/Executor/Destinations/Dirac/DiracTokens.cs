using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>
/// Access tokens for DiracX, from the configured refresh token (<c>grant_type=refresh_token</c> at
/// <c>/api/auth/token</c>). A token is renewed shortly before it expires or when DiracX refuses it; DiracX hands back
/// a new refresh token each time, which replaces the old one (and is written to the token file, when there is one).
/// </summary>
public sealed class DiracTokens(HttpClient http, IOptions<DiracOptions> options, ILogger<DiracTokens> logger)
{
    static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(30);

    readonly SemaphoreSlim _lock = new(1, 1);
    string? _accessToken;
    DateTimeOffset _expiresAt;
    string? _refreshToken;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AccessToken is { Length: > 0 } fixedToken)
            return fixedToken;
        if (_accessToken is { } current && DateTimeOffset.UtcNow < _expiresAt - RenewBefore)
            return current;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_accessToken is { } renewed && DateTimeOffset.UtcNow < _expiresAt - RenewBefore)
                return renewed;
            return await RefreshAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Forgets <paramref name="refused"/>, so the next <see cref="GetAsync"/> asks for a new token.</summary>
    public bool Invalidate(string refused)
    {
        if (options.Value.AccessToken is { Length: > 0 })
            return false;
        if (_accessToken == refused)
            _accessToken = null;
        return true;
    }

    async Task<string> RefreshAsync(CancellationToken cancellationToken)
    {
        var refreshToken = _refreshToken ?? await ReadConfiguredRefreshTokenAsync(cancellationToken);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = options.Value.ClientId,
            ["refresh_token"] = refreshToken,
        });
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(DiracApi.Address(options.Value, "api/auth/token"), form, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new DestinationUnavailableException($"DiracX's token endpoint cannot be reached: {ex.Message}", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (DiracApi.IsTransient(response.StatusCode))
                throw new DestinationUnavailableException($"DiracX's token endpoint answered {(int)response.StatusCode}.");
            if (!response.IsSuccessStatusCode)
                throw new DiracProtocolException(
                    $"DiracX refused the refresh token ({(int)response.StatusCode} {DiracApi.Detail(body)}); log in again and update {DiracOptions.Section}.");
            DiracTokenResponse? token;
            try
            {
                token = JsonSerializer.Deserialize<DiracTokenResponse>(body);
            }
            catch (JsonException ex)
            {
                throw new DiracProtocolException($"DiracX's token endpoint answered malformed JSON: {ex.Message}", ex);
            }

            if (token?.AccessToken is not { Length: > 0 } accessToken)
                throw new DiracProtocolException("DiracX's token endpoint answered without an access_token.");
            if (token.RefreshToken is { Length: > 0 } rotated && rotated != refreshToken)
                await StoreRefreshTokenAsync(rotated, cancellationToken);
            _accessToken = accessToken;
            _expiresAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(Math.Max(token.ExpiresIn, 0));
            logger.LogInformation("Got a DiracX access token valid for {Seconds} s", token.ExpiresIn);
            return accessToken;
        }
    }

    async Task<string> ReadConfiguredRefreshTokenAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RefreshTokenFile is { Length: > 0 } file)
        {
            try
            {
                var fromFile = (await File.ReadAllTextAsync(file, cancellationToken)).Trim();
                if (fromFile.Length > 0)
                    return fromFile;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DiracProtocolException($"{DiracOptions.Section}:RefreshTokenFile '{file}' cannot be read: {ex.Message}", ex);
            }
        }

        return options.Value.RefreshToken is { Length: > 0 } configured
            ? configured
            : throw new DiracProtocolException($"No DiracX credentials: set {DiracOptions.Section}:RefreshTokenFile, RefreshToken or AccessToken.");
    }

    async Task StoreRefreshTokenAsync(string rotated, CancellationToken cancellationToken)
    {
        _refreshToken = rotated;
        if (options.Value.RefreshTokenFile is not { Length: > 0 } file)
            return;
        // Written aside and renamed, so a crash never leaves a half-written token behind.
        var temporary = $"{file}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(temporary, rotated, cancellationToken);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, file, overwrite: true);
    }
}
