using Orchestrator.Platform.Configuration;

namespace Orchestrator.Api.Scripts;

/// <summary>The categories of the script policy, named as their switches in <see cref="ScriptPolicyOptions"/>.</summary>
public static class ScriptCategories
{
    public const string Format = "Format";
    public const string DestructiveCommands = nameof(ScriptPolicyOptions.DestructiveCommands);
    public const string SensitivePaths = nameof(ScriptPolicyOptions.SensitivePaths);
    public const string NetworkTools = nameof(ScriptPolicyOptions.NetworkTools);
    public const string ReverseShells = nameof(ScriptPolicyOptions.ReverseShells);
    public const string PrivilegeEscalation = nameof(ScriptPolicyOptions.PrivilegeEscalation);
    public const string ContainerEscape = nameof(ScriptPolicyOptions.ContainerEscape);
    public const string KernelAndFirewall = nameof(ScriptPolicyOptions.KernelAndFirewall);
    public const string ObfuscatedCode = nameof(ScriptPolicyOptions.ObfuscatedCode);
    public const string Persistence = nameof(ScriptPolicyOptions.Persistence);
    public const string ForkBombs = nameof(ScriptPolicyOptions.ForkBombs);
    public const string MinersAndStress = nameof(ScriptPolicyOptions.MinersAndStress);
    public const string SecretVariables = nameof(ScriptPolicyOptions.SecretVariables);

    public static bool IsEnabled(this ScriptPolicyOptions options, string category) => category switch
    {
        DestructiveCommands => options.DestructiveCommands,
        SensitivePaths => options.SensitivePaths,
        NetworkTools => options.NetworkTools,
        ReverseShells => options.ReverseShells,
        PrivilegeEscalation => options.PrivilegeEscalation,
        ContainerEscape => options.ContainerEscape,
        KernelAndFirewall => options.KernelAndFirewall,
        ObfuscatedCode => options.ObfuscatedCode,
        Persistence => options.Persistence,
        ForkBombs => options.ForkBombs,
        MinersAndStress => options.MinersAndStress,
        SecretVariables => options.SecretVariables,
        _ => true,
    };
}
