using Runtype.Sessions.Client;
using static Runtype.Architecture.Tests.Layers;

namespace Runtype.Architecture.Tests;

/// <summary>Runtype.Sessions.Client is a package of its own: it knows the API only by its wire format (issue 12).</summary>
public sealed class ClientPackageTests
{
    [Fact]
    public void The_client_references_none_of_the_server_assemblies()
    {
        var assembly = typeof(IRuntypeSessionsClient).Assembly;
        Assert.Equal("Runtype.Sessions.Client", assembly.GetName().Name);

        var ours = assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("Runtype.", StringComparison.Ordinal)).ToArray();

        Assert.Empty(ours);
    }

    [Fact]
    public void The_client_depends_on_no_server_namespace_nor_ASP_NET_Core()
    {
        var outcome = ArchitectureRule.MustNotDependOn(
            "The client depends on no server layer nor ASP.NET Core",
            () => TypesOf(typeof(IRuntypeSessionsClient).Assembly, "Runtype.Sessions.Client"),
            DomainRoot, ApplicationRoot, InfrastructureRoot, ApiRoot, AspNetCoreRoot, EfCoreRoot);

        ArchitectureRule.AssertHolds(outcome, typeof(RuntypeSessionsClient));
    }
}
