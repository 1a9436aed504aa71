namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>One request a <see cref="V1TestServer"/> received.</summary>
public sealed record V1ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body);
