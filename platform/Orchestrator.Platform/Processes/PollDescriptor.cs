using System.Runtime.InteropServices;

namespace Orchestrator.Platform.Processes;

/// <summary>struct pollfd of poll(2).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollDescriptor
{
    public int Descriptor;
    public short Events;
    public short ReturnedEvents;
}
