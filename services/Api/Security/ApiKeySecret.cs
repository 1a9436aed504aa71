using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Api.Security;

/// <summary>
/// The form of a key: <c>orch_{prefix}_{secret}</c>, a 12-hex-digit public prefix and 32 random bytes. With that much
/// entropy a plain SHA-256 is enough to store it (no slow hash needed: there is nothing to guess from a dictionary).
/// </summary>
public static class ApiKeySecret
{
    const string Scheme = "orch_";
    const int PrefixLength = 12;

    public static (string Key, string Prefix, string Hash) Generate()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PrefixLength / 2));
        var key = $"{Scheme}{prefix}_{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}";
        return (key, prefix, Hash(key));
    }

    /// <summary>The public prefix of a well-formed key, or null for anything else.</summary>
    public static string? PrefixOf(string key)
    {
        if (key.Length < Scheme.Length + PrefixLength + 2 || key.Length > 128
            || !key.StartsWith(Scheme, StringComparison.Ordinal) || key[Scheme.Length + PrefixLength] != '_')
            return null;
        var prefix = key.Substring(Scheme.Length, PrefixLength);
        return prefix.All(char.IsAsciiHexDigitLower) ? prefix : null;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Whether <paramref name="key"/> hashes to <paramref name="storedHash"/>, in time independent of where they differ.</summary>
    public static bool Matches(string key, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(key)), Encoding.ASCII.GetBytes(storedHash));
}
