namespace Orchestrator.Api.Security;

/// <summary>The answer to creating a key: the key itself, shown this once, and how it is stored.</summary>
public sealed record CreatedApiKey(string Key, ApiKeyView Details);
