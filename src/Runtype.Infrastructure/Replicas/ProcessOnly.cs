using Runtype.Application.Sessions;

namespace Runtype.Infrastructure.Replicas;

/// <summary>Without a backplane (no <c>Redis:Configuration</c>): other replicas learn of this process's changes from their change feed.</summary>
internal sealed class NoSessionChangeBroadcast : ISessionChangeBroadcast
{
    public void Publish(IReadOnlyList<SessionChanged> changes)
    {
    }
}
