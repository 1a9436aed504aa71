namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>
/// Section <c>Executor:Dirac</c>: how an executor of a <c>dirac</c> destination reaches DiracX. DiracX issues tokens
/// through interactive flows only (device code, authorization code), so the executor is given a refresh token
/// obtained once (e.g. by <c>dirac login</c>) and exchanges it for access tokens itself.
/// </summary>
public sealed class DiracOptions
{
    public const string Section = "Executor:Dirac";

    /// <summary>DiracX's base address, e.g. <c>https://diracx.example.org</c> (required).</summary>
    public string Url { get; set; } = "";

    /// <summary>The OAuth2 client id the refresh token was issued to (default <c>myDIRACClientID</c>, DiracX's CLI).</summary>
    public string ClientId { get; set; } = "myDIRACClientID";

    /// <summary>A refresh token, when no <see cref="RefreshTokenFile"/> is used.</summary>
    public string? RefreshToken { get; set; }

    /// <summary>
    /// A file holding the refresh token. DiracX rotates refresh tokens on every use and revokes a reused one, so the
    /// new token is written back here: with a file, a restarted executor still holds a valid token.
    /// </summary>
    public string? RefreshTokenFile { get; set; }

    /// <summary>A fixed access token instead of a refresh token (tests, short-lived set-ups).</summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Files the job leaves that are sent back, as JDL <c>OutputSandbox</c> patterns (none set: all, <c>*</c>). No default
    /// list here, because configuration binding adds to a list rather than replacing it.
    /// </summary>
    public List<string>? OutputSandbox { get; set; }

    /// <summary>JDL <c>Site</c>, when jobs must run at one site.</summary>
    public string? Site { get; set; }

    /// <summary>JDL <c>JobGroup</c> of every job (default <c>orchestrator</c>).</summary>
    public string JobGroup { get; set; } = "orchestrator";

    /// <summary>How long one HTTP call to DiracX or its sandbox store may take (default 1 minute).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
