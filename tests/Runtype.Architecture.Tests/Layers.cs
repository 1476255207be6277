using System.Reflection;
using NetArchTest.Rules;
using Runtype.Api.Sessions;
using Runtype.Application.Sessions.CreateSession;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Architecture.Tests;

/// <summary>
/// The four layers, each found through a type that is known to live in it (not by assembly name, so a rename
/// cannot silently point a rule at nothing), and the namespace root its types share.
/// </summary>
internal static class Layers
{
    public const string DomainRoot = "Runtype.Domain";
    public const string ApplicationRoot = "Runtype.Application";
    public const string InfrastructureRoot = "Runtype.Infrastructure";
    public const string ApiRoot = "Runtype.Api";

    public const string EfCoreRoot = "Microsoft.EntityFrameworkCore";
    public const string AspNetCoreRoot = "Microsoft.AspNetCore";
    public const string FluentValidationRoot = "FluentValidation";
    public const string MediatorRoot = "Mediator";
    public const string MapperlyRoot = "Riok.Mapperly";

    public static readonly Assembly DomainAssembly = typeof(Session).Assembly;
    public static readonly Assembly ApplicationAssembly = typeof(CreateSession).Assembly;
    public static readonly Assembly InfrastructureAssembly = typeof(RuntypeDbContext).Assembly;
    public static readonly Assembly ApiAssembly = typeof(SessionsController).Assembly;

    /// <summary>The types of <paramref name="assembly"/> under <paramref name="namespaceRoot"/>.</summary>
    public static PredicateList TypesOf(Assembly assembly, string namespaceRoot) =>
        Types.InAssembly(assembly).That().ResideInNamespaceStartingWith(namespaceRoot);
}
