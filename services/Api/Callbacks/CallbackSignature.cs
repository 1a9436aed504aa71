using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Api.Callbacks;

/// <summary>The <c>X-Signature-256</c> header: <c>sha256=</c> and the hex HMAC-SHA256 of the exact body bytes.</summary>
public static class CallbackSignature
{
    public const string Header = "X-Signature-256";

    public static string Sign(byte[] body, string key) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body));
}
