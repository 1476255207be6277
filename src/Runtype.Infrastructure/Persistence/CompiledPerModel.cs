using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// A compiled query (<c>EF.CompileAsyncQuery</c>) for each model it meets: EF binds a compiled query to the first model
/// that runs it, and each provider's context has a model of its own (several can live in one process, e.g. the tests).
/// </summary>
internal sealed class CompiledPerModel<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = [];

    public TQuery For(DbContext db) => _byModel.GetValue(db.Model, _ => compile());
}
