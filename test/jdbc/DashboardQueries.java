/*
 * DashboardQueries.java: what a BI tool reading cjourney through PostgreSQL's
 * JDBC driver (pgjdbc: Metabase, Tableau, DBeaver, Superset's JDBC paths)
 * sees for the README's dashboard queries and the pg_cron recipe's tiles.
 * Compiled and run by test/suites/jdbc.sh; prints TAP lines ("ok - ...",
 * "not ok - ..." with "#" diagnostics) that the suite numbers.
 *
 *   java -cp postgresql.jar:. DashboardQueries URL QUERIES PSQL_DIR
 *
 * QUERIES holds one query a line: name<TAB>sql<TAB>parameters, where the sql
 * has a ? per parameter and parameters is a comma-separated list of ISO
 * dates (bound with setObject(LocalDate), as a BI tool binds a date filter).
 * PSQL_DIR/<name>.out is what psql printed for the same query with the
 * dates as literals (psql -A, tab-separated, header line, NULL as \N).
 *
 * Each query runs twice: on a connection with the driver's defaults (text
 * results for a statement's first executions) and on one with
 * prepareThreshold=-1 (server-prepared, binary results from the first
 * execution, as after a dashboard's fifth refresh). For each the program
 * checks: the column labels are psql's; number columns (int, numeric,
 * float) have a numeric JDBC type and arrive as java.lang.Number; dates and
 * timestamps as DATE/TIMESTAMP with java.sql.Date/Timestamp; text as
 * VARCHAR and String; cjourney's own types and enums as strings (getString
 * is their text form); every value equals psql's, rows compared as a
 * multiset: numbers by value (BigDecimal, or the exact double), dates and
 * times as instants, intervals as PGInterval, the rest as text. Interval
 * columns arrive as PGInterval (JDBC OTHER), which BI tools show as text but
 * cannot chart: for each, a number-typed column (e.g. median_days) of the
 * same tile is reported, or a TODO line when the tile has none. A value of a
 * custom type arrives as a PGobject whose type is the column's type name and
 * whose value is getString's text; at least one query must return one.
 */
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.postgresql.util.PGInterval;

public class DashboardQueries
{
	static final Set<String> PG_NUMBERS = Set.of("int2", "int4", "int8", "numeric", "float4", "float8", "oid");
	static final Set<String> PG_TEXT = Set.of("text", "varchar", "bpchar", "name");
	static int failures = 0;
	static final Set<String> customSeen = new java.util.TreeSet<>();

	static void ok(String desc)
	{
		System.out.println("ok - " + desc);
	}

	static void notOk(String desc, List<String> diag)
	{
		failures++;
		System.out.println("not ok - " + desc);
		int n = 0;
		for (String d : diag)
		{
			if (++n > 20)
			{
				System.out.println("#   ... " + (diag.size() - 20) + " more");
				break;
			}
			System.out.println("#   " + d);
		}
	}

	static void check(boolean cond, String desc, List<String> diag)
	{
		if (cond)
			ok(desc);
		else
			notOk(desc, diag);
	}

	/* One column as the driver describes it. */
	static final class Column
	{
		String label;
		int jdbcType;
		String pgType;
		String javaClass = "-";		/* of getObject, from the first non-NULL value */
	}

	/* psql's text of a timestamptz/timestamp ("2025-03-01 09:00:00+00") as an instant string */
	static String instant(String s, boolean withZone)
	{
		String t = s.replace(' ', 'T');
		if (!withZone)
			return t;
		/* +00, +05:30, -03 -> ISO offsets */
		int p = Math.max(t.lastIndexOf('+'), t.lastIndexOf('-'));
		if (p > 10)
		{
			String off = t.substring(p);
			if (off.length() == 3)
				off = off + ":00";
			t = t.substring(0, p) + off;
		}
		return OffsetDateTime.parse(t).toInstant().toString();
	}

	/*
	 * The comparable form of a double: 12 significant digits.  A float8 sum
	 * over many rows (channel credit, mean values) can differ in its last
	 * bits between psql's run, which may get a parallel plan, and the
	 * driver's, whose portal runs serially (see the README's Limits); every
	 * other type is compared exactly.
	 */
	static String dbl(double d)
	{
		if (Double.isNaN(d) || Double.isInfinite(d))
			return Double.toString(d);
		return new BigDecimal(d).round(new java.math.MathContext(12)).stripTrailingZeros().toPlainString();
	}

	/* The comparable form of psql's text of a value of this column. */
	static String fromPsql(Column c, String s)
	{
		if (s.equals("\\N"))
			return "NULL";
		switch (c.pgType)
		{
			case "int2": case "int4": case "int8": case "numeric": case "oid":
				return s.equals("NaN") ? s : new BigDecimal(s).stripTrailingZeros().toPlainString();
			case "float4": case "float8":
				return dbl(Double.parseDouble(s));
			case "bool":
				return s.equals("t") ? "true" : "false";
			case "date":
				return LocalDate.parse(s).toString();
			case "timestamptz":
				return instant(s, true);
			case "timestamp":
				return instant(s, false);
			case "interval":
				try
				{
					return new PGInterval(s).toString();
				}
				catch (SQLException e)
				{
					return "unparsable interval " + s;
				}
			default:
				return s;
		}
	}

	/* The comparable form of what the driver returns for column i. */
	static String fromJdbc(ResultSet rs, int i, Column c) throws SQLException
	{
		Object o = rs.getObject(i);
		if (o == null)
			return "NULL";
		if (c.javaClass.equals("-"))
			c.javaClass = o.getClass().getName();
		switch (c.pgType)
		{
			case "int2": case "int4": case "int8": case "numeric": case "oid":
				if (o instanceof Double && ((Double) o).isNaN())
					return "NaN";
				return new BigDecimal(o.toString()).stripTrailingZeros().toPlainString();
			case "float4": case "float8":
				return dbl(((Number) o).doubleValue());
			case "bool":
				return Boolean.toString(rs.getBoolean(i));
			case "date":
				return rs.getObject(i, LocalDate.class).toString();
			case "timestamptz":
				return rs.getObject(i, OffsetDateTime.class).toInstant().toString();
			case "timestamp":
				return rs.getObject(i, java.time.LocalDateTime.class).toString();
			case "interval":
				return ((PGInterval) o).toString();
			default:
				if (o instanceof org.postgresql.util.PGobject)
				{
					org.postgresql.util.PGobject pg = (org.postgresql.util.PGobject) o;
					/* a custom type reaches the tool as its type name and text */
					if (!pg.getType().equals(c.pgType) || !java.util.Objects.equals(pg.getValue(), rs.getString(i)))
						return "PGobject " + pg.getType() + " " + pg.getValue() + " != getString " + rs.getString(i);
				}
				return rs.getString(i);
		}
	}

	static List<String[]> readPsql(Path p) throws Exception
	{
		List<String[]> rows = new ArrayList<>();
		for (String line : Files.readAllLines(p, StandardCharsets.UTF_8))
			rows.add(line.split("\t", -1));
		return rows;
	}

	static void runQuery(Connection conn, String mode, String name, String sql, String[] params,
						 List<String[]> psql, Set<String> customTypes) throws Exception
	{
		String what = name + " (" + mode + ")";
		List<Column> cols = new ArrayList<>();
		List<String> got = new ArrayList<>();
		try (PreparedStatement ps = conn.prepareStatement(sql))
		{
			for (int k = 0; k < params.length; k++)
				ps.setObject(k + 1, LocalDate.parse(params[k]));
			try (ResultSet rs = ps.executeQuery())
			{
				ResultSetMetaData md = rs.getMetaData();
				for (int i = 1; i <= md.getColumnCount(); i++)
				{
					Column c = new Column();
					c.label = md.getColumnLabel(i);
					c.jdbcType = md.getColumnType(i);
					c.pgType = md.getColumnTypeName(i);
					cols.add(c);
				}
				while (rs.next())
				{
					StringBuilder sb = new StringBuilder();
					for (int i = 1; i <= cols.size(); i++)
						sb.append(i > 1 ? "\t" : "").append(fromJdbc(rs, i, cols.get(i - 1)));
					got.add(sb.toString());
				}
			}
		}
		catch (SQLException e)
		{
			notOk(what + ": runs", List.of(e.getMessage()));
			return;
		}

		/* column names */
		List<String> labels = new ArrayList<>();
		for (Column c : cols)
			labels.add(c.label);
		List<String> psqlLabels = psql.isEmpty() ? List.of() : Arrays.asList(psql.get(0));
		check(labels.equals(psqlLabels), what + ": column names = psql's: " + String.join(", ", labels),
			  List.of("jdbc: " + labels, "psql: " + psqlLabels));

		/* types as a BI tool sees them */
		List<String> bad = new ArrayList<>();
		List<String> described = new ArrayList<>();
		for (Column c : cols)
		{
			String jt = JDBCType.valueOf(c.jdbcType).getName();
			described.add(c.label + " " + c.pgType + "->" + jt + "/" + c.javaClass.replaceAll(".*\\.", ""));
			if (PG_NUMBERS.contains(c.pgType))
			{
				boolean numeric = c.jdbcType == Types.SMALLINT || c.jdbcType == Types.INTEGER || c.jdbcType == Types.BIGINT
					|| c.jdbcType == Types.NUMERIC || c.jdbcType == Types.DECIMAL || c.jdbcType == Types.DOUBLE
					|| c.jdbcType == Types.REAL || c.jdbcType == Types.FLOAT;
				boolean number = c.javaClass.equals("-") || Number.class.isAssignableFrom(Class.forName(c.javaClass));
				if (!numeric || !number)
					bad.add(c.label + ": " + c.pgType + " arrives as " + jt + " / " + c.javaClass);
			}
			else if (c.pgType.equals("date"))
			{
				if (c.jdbcType != Types.DATE || !(c.javaClass.equals("-") || c.javaClass.equals("java.sql.Date")))
					bad.add(c.label + ": date arrives as " + jt + " / " + c.javaClass);
			}
			else if (c.pgType.startsWith("timestamp"))
			{
				if ((c.jdbcType != Types.TIMESTAMP && c.jdbcType != Types.TIMESTAMP_WITH_TIMEZONE)
					|| !(c.javaClass.equals("-") || c.javaClass.equals("java.sql.Timestamp")))
					bad.add(c.label + ": " + c.pgType + " arrives as " + jt + " / " + c.javaClass);
			}
			else if (PG_TEXT.contains(c.pgType))
			{
				if (c.jdbcType != Types.VARCHAR && c.jdbcType != Types.CHAR)
					bad.add(c.label + ": " + c.pgType + " arrives as " + jt);
				if (!(c.javaClass.equals("-") || c.javaClass.equals("java.lang.String")))
					bad.add(c.label + ": " + c.pgType + " arrives as " + c.javaClass);
			}
			else if (customTypes.contains(c.pgType))
			{
				/* cjourney's types and enums: read as strings (getString = their text) */
				if (!(c.javaClass.equals("-") || c.javaClass.equals("java.lang.String")
					  || c.javaClass.equals("org.postgresql.util.PGobject")))
					bad.add(c.label + ": " + c.pgType + " arrives as " + c.javaClass);
				if (!c.javaClass.equals("-"))
					customSeen.add(c.pgType + " (" + jt + "/" + c.javaClass.replaceAll(".*\\.", "") + ")");
			}
		}
		check(bad.isEmpty(), what + ": JDBC types " + String.join(", ", described), bad);

		/* values = psql's, as multisets of rows */
		List<String> want = new ArrayList<>();
		for (int r = 1; r < psql.size(); r++)
		{
			String[] f = psql.get(r);
			if (f.length != cols.size())
			{
				want.add("psql row of " + f.length + " fields: " + String.join("|", f));
				continue;
			}
			StringBuilder sb = new StringBuilder();
			for (int i = 0; i < f.length; i++)
				sb.append(i > 0 ? "\t" : "").append(fromPsql(cols.get(i), f[i]));
			want.add(sb.toString());
		}
		List<String> g = new ArrayList<>(got), w = new ArrayList<>(want);
		Collections.sort(g);
		Collections.sort(w);
		List<String> diff = new ArrayList<>();
		if (!g.equals(w))
		{
			List<String> onlyJ = new ArrayList<>(g), onlyP = new ArrayList<>(w);
			for (String x : w)
				onlyJ.remove(x);
			for (String x : g)
				onlyP.remove(x);
			for (String x : onlyJ)
				diff.add("jdbc only: " + x);
			for (String x : onlyP)
				diff.add("psql only: " + x);
		}
		check(g.equals(w), what + ": every value = psql's (" + got.size() + " rows x " + cols.size() + " columns)", diff);

		/* durations: chartable only as numbers */
		if (mode.equals("text"))
		{
			List<String> intervals = new ArrayList<>(), numbers = new ArrayList<>();
			for (Column c : cols)
			{
				if (c.pgType.equals("interval"))
					intervals.add(c.label);
				else if (PG_NUMBERS.contains(c.pgType) && c.label.matches(".*(days|hours|seconds|minutes).*"))
					numbers.add(c.label);
			}
			if (!intervals.isEmpty())
			{
				if (!numbers.isEmpty())
					ok(name + ": durations " + intervals + " arrive as PGInterval (text in a BI tool); chartable as number columns " + numbers);
				else
					System.out.println("not ok - " + name + ": durations " + intervals
									   + " arrive as PGInterval (JDBC OTHER): no number column to chart them"
									   + " # TODO add numeric duration columns (e.g. *_days float8) to this tile");
			}
		}
	}

	public static void main(String[] args) throws Exception
	{
		String url = args[0];
		List<String> queries = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
		Path psqlDir = Path.of(args[2]);
		Set<String> customTypes = new java.util.HashSet<>();

		Properties text = new Properties();
		Properties binary = new Properties();
		binary.setProperty("prepareThreshold", "-1");	/* server-prepared, binary results at once */
		try (Connection a = DriverManager.getConnection(url, text);
			 Connection b = DriverManager.getConnection(url, binary))
		{
			/* cjourney's types and every enum: what "custom types" means here */
			try (ResultSet rs = a.createStatement().executeQuery(
					 "SELECT t.typname FROM pg_type t JOIN pg_depend d ON d.classid = 'pg_type'::regclass "
					 + "AND d.objid = t.oid AND d.deptype = 'e' JOIN pg_extension e ON e.oid = d.refobjid "
					 + "AND e.extname = 'cjourney' UNION SELECT typname FROM pg_type WHERE typtype = 'e'"))
			{
				while (rs.next())
					customTypes.add(rs.getString(1));
			}
			ok("connected with pgjdbc " + a.getMetaData().getDriverVersion() + " to PostgreSQL "
			   + a.getMetaData().getDatabaseProductVersion() + "; " + queries.size() + " queries");
			for (String q : queries)
			{
				if (q.isBlank())
					continue;
				String[] f = q.split("\t", -1);
				String[] params = f.length > 2 && !f[2].isEmpty() ? f[2].split(",") : new String[0];
				List<String[]> psql = readPsql(psqlDir.resolve(f[0] + ".out"));
				runQuery(a, "text", f[0], f[1], params, psql, customTypes);
				runQuery(b, "binary", f[0], f[1], params, psql, customTypes);
			}
		}
		check(!customSeen.isEmpty(), "cjourney's types and enums arrive as strings (getString and PGobject.getValue = psql's text): "
			  + String.join(", ", customSeen), List.of("no query returned a value of a cjourney type or an enum"));
		System.exit(failures == 0 ? 0 : 1);
	}
}
