namespace Orchestrator.Api.Callbacks;

public static class CallbackDeliveryStates
{
    public const string Pending = "Pending";
    public const string Delivered = "Delivered";

    /// <summary>Refused by the receiver (4xx) or still failing after <see cref="CallbackOptions.MaxAge"/>.</summary>
    public const string Failed = "Failed";
}
