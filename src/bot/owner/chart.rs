//! "A picture of the business" (issue 15 item 6): the `/balance` chart of one channel, a PNG
//! with revenue per day by payment method, active subscribers and, for a threshold channel,
//! the pending balance against the threshold with the expected crossing date.
//!
//! Drawn with `plotters` into an RGB buffer with the embedded DejaVu Sans (no system font,
//! no fontconfig) and encoded to PNG in memory; never a temporary file. Rendering is CPU
//! work, so the handler runs it on the blocking pool. Amounts are drawn on integer
//! micro-dollar axes: no float ever holds money.

use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use teloxide::prelude::*;
use teloxide::types::{InputFile, ParseMode};

use super::owned;
use crate::bot::{HandlerResult, TgBot};
use crate::domain::callbacks::ChartSpan;
use crate::domain::lang::Lang;
use crate::domain::money::UsdMicros;
use crate::domain::time::UnixMillis;
use crate::i18n::{Arg, t, t_args};
use crate::services::Ctx;
use crate::store::channels::PayoutStrategy;
use crate::store::charts::{ChartData, DAY_MS, PayMethod, shape};
use crate::store::stats::next_payout_estimate;
use crate::store::users::UserRow;

/// DejaVu Sans 2.37 (Bitstream Vera license, see `assets/fonts/DejaVuSans.LICENSE`): Latin and
/// Cyrillic, so every label of en/ru/es renders.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "telepay-sans";

pub const WIDTH: u32 = 1000;
const TITLE_H: u32 = 56;
const PANEL_H: u32 = 300;
/// x coordinates are tenths of a day; day `i` of the window is centred on `i * X_PER_DAY`.
const X_PER_DAY: i64 = 10;
const HALF_DAY: i64 = X_PER_DAY / 2;

const REVENUE_COLORS: [RGBColor; 2] = [RGBColor(38, 139, 210), RGBColor(245, 166, 35)];
const SUBSCRIBERS: RGBColor = RGBColor(42, 161, 152);
const PENDING: RGBColor = RGBColor(108, 113, 196);
const THRESHOLD: RGBColor = RGBColor(220, 50, 47);
const GRID: RGBColor = RGBColor(242, 242, 242);

/// The threshold line of a threshold channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdLine {
    pub threshold: UsdMicros,
    /// When the pending balance reaches it at the last 30 days' pace (the `/balance` text's
    /// estimate); `None` without income in those days.
    pub eta: Option<UnixMillis>,
}

/// Every word drawn, already in the owner's language.
#[derive(Debug, Clone)]
pub struct Labels {
    pub lang: Lang,
    pub title: String,
    pub revenue: String,
    pub methods: Vec<(PayMethod, String)>,
    pub subscribers: String,
    pub progress: String,
    pub pending: String,
    pub threshold: String,
    /// The expected crossing, or why there is none.
    pub eta: String,
    /// Shown over the revenue panel when nothing was paid.
    pub empty: Option<String>,
}

impl Labels {
    pub fn new(
        lang: Lang,
        span: ChartSpan,
        data: &ChartData,
        line: Option<&ThresholdLine>,
        now: UnixMillis,
        ever_paid: bool,
    ) -> Labels {
        let days = i64::from(span.days());
        let eta = match line.map(|l| l.eta) {
            Some(Some(at)) if at <= now => t(lang, "chart-eta-now"),
            Some(Some(at)) => t_args(lang, "chart-eta", &[("date", Arg::Html(full_date(at)))]),
            _ => t(lang, "chart-eta-none"),
        };
        let empty = if !ever_paid {
            Some(t(lang, "chart-no-payments"))
        } else if data.is_empty() {
            Some(t_args(
                lang,
                "chart-no-payments-period",
                &[("days", Arg::Int(days))],
            ))
        } else {
            None
        };
        Labels {
            lang,
            title: t_args(lang, "chart-title", &[("days", Arg::Int(days))]),
            revenue: t(lang, "chart-revenue"),
            methods: PayMethod::ALL
                .iter()
                .map(|m| {
                    let key = match m {
                        PayMethod::Crypto => "chart-method-crypto",
                        PayMethod::Stars => "chart-method-stars",
                    };
                    (*m, t(lang, key))
                })
                .collect(),
            subscribers: t(lang, "chart-subscribers"),
            progress: t(lang, "chart-progress"),
            pending: t(lang, "chart-pending"),
            threshold: t_args(
                lang,
                "chart-threshold",
                &[(
                    "threshold",
                    Arg::Html(
                        line.map(|l| l.threshold.localized(lang))
                            .unwrap_or_default(),
                    ),
                )],
            ),
            eta,
            empty,
        }
    }
}

fn full_date(at: UnixMillis) -> String {
    at.to_datetime()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn short_date(at: UnixMillis) -> String {
    at.to_datetime()
        .map(|d| d.format("%m-%d").to_string())
        .unwrap_or_default()
}

fn font_ready() -> anyhow::Result<()> {
    static READY: OnceLock<bool> = OnceLock::new();
    let ok = *READY
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(anyhow!("the embedded chart font does not load"))
    }
}

fn text(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}

/// The image's height: a title and one panel per series group.
pub fn height(threshold: bool) -> u32 {
    TITLE_H + PANEL_H * if threshold { 3 } else { 2 }
}

/// A drawing failure, as text (plotters' errors carry the backend's error type).
fn drawing<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("chart drawing failed: {e:?}")
}

/// The chart as PNG bytes.
pub fn render(
    data: &ChartData,
    line: Option<&ThresholdLine>,
    labels: &Labels,
) -> anyhow::Result<Vec<u8>> {
    font_ready()?;
    let (w, h) = (WIDTH, height(line.is_some()));
    let len = usize::try_from(u64::from(w) * u64::from(h) * 3).context("chart size")?;
    let mut buf = vec![255u8; len];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let (head, body) = root.split_vertically(TITLE_H);
        head.draw(&Text::new(labels.title.clone(), (20, 16), text(24)))
            .map_err(drawing)?;
        let panels = body.split_evenly((if line.is_some() { 3 } else { 2 }, 1));
        if let [rev, subs, rest @ ..] = panels.as_slice() {
            revenue_panel(rev, data, labels)?;
            subscribers_panel(subs, data, labels)?;
            if let (Some(area), Some(line)) = (rest.first(), line) {
                progress_panel(area, data, line, labels)?;
            }
        }
        root.present().map_err(drawing)?;
    }
    encode_png(&buf, w, h)
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn day_count(data: &ChartData) -> i64 {
    i64::try_from(data.days.len()).unwrap_or(1).max(1)
}

/// The x of day `i`'s centre.
fn day_x(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(0).saturating_mul(X_PER_DAY)
}

/// The x range of a window of `n` days.
fn x_range(n: i64) -> std::ops::Range<i64> {
    -HALF_DAY..n * X_PER_DAY - HALF_DAY
}

fn x_formatter(data: &ChartData) -> impl Fn(&i64) -> String + '_ {
    move |x: &i64| {
        let start = data.days.first().map(|d| d.as_millis()).unwrap_or_default();
        short_date(UnixMillis::from_millis(start.saturating_add(
            (x + HALF_DAY).div_euclid(X_PER_DAY).saturating_mul(DAY_MS),
        )))
    }
}

/// A y axis top with some room above the highest value.
fn top(max: i64, floor: i64) -> i64 {
    max.max(floor).saturating_add(max.max(floor) / 10)
}

fn revenue_panel(area: &Area<'_>, data: &ChartData, labels: &Labels) -> anyhow::Result<()> {
    let n = day_count(data);
    let max = (0..data.days.len())
        .map(|i| data.revenue_on(i).micros())
        .max()
        .unwrap_or(0);
    let lang = labels.lang;
    let money = move |v: &i64| UsdMicros::from_micros(*v).localized(lang);
    let fmt_x = x_formatter(data);
    let mut chart = ChartBuilder::on(area)
        .caption(labels.revenue.clone(), text(18))
        .margin(12)
        .margin_right(32)
        .x_label_area_size(28)
        .y_label_area_size(90)
        .build_cartesian_2d(x_range(n), 0i64..top(max, 1_000_000))
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .x_labels(10)
        .y_labels(6)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&money)
        .label_style(text(13))
        .draw()
        .map_err(drawing)?;
    // Stacked bars, one colour per method.
    let mut base = vec![0i64; data.days.len()];
    for (k, series) in data.revenue.iter().enumerate() {
        let color = REVENUE_COLORS[k % REVENUE_COLORS.len()];
        let bars: Vec<Rectangle<(i64, i64)>> = series
            .per_day
            .iter()
            .zip(base.iter_mut())
            .enumerate()
            .filter(|(_, (v, _))| v.micros() > 0)
            .map(|(i, (v, b))| {
                let x = day_x(i);
                let y0 = *b;
                *b = b.saturating_add(v.micros());
                Rectangle::new(
                    [(x - HALF_DAY + 1, y0), (x + HALF_DAY - 1, *b)],
                    color.filled(),
                )
            })
            .collect();
        let name = labels
            .methods
            .iter()
            .find(|(m, _)| *m == series.method)
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        chart
            .draw_series(bars)
            .map_err(drawing)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(text(14))
        .draw()
        .map_err(drawing)?;
    if let Some(empty) = &labels.empty {
        let (w, h) = area.dim_in_pixel();
        let center = (
            i32::try_from(w / 2).unwrap_or(0),
            i32::try_from(h / 2).unwrap_or(0),
        );
        let style = text(30)
            .color(&RGBColor(120, 120, 120))
            .pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(empty.clone(), center, style))
            .map_err(drawing)?;
    }
    Ok(())
}

fn subscribers_panel(area: &Area<'_>, data: &ChartData, labels: &Labels) -> anyhow::Result<()> {
    let n = day_count(data);
    let max = data.subscribers.iter().copied().max().unwrap_or(0);
    let fmt_x = x_formatter(data);
    let mut chart = ChartBuilder::on(area)
        .caption(labels.subscribers.clone(), text(18))
        .margin(12)
        .margin_right(32)
        .x_label_area_size(28)
        .y_label_area_size(90)
        .build_cartesian_2d(x_range(n), 0i64..top(max, 5))
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .x_labels(10)
        .y_labels(6)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&|v: &i64| v.to_string())
        .label_style(text(13))
        .draw()
        .map_err(drawing)?;
    let points = data
        .subscribers
        .iter()
        .enumerate()
        .map(|(i, v)| (day_x(i), *v));
    chart
        .draw_series(LineSeries::new(points, SUBSCRIBERS.stroke_width(3)))
        .map_err(drawing)?;
    Ok(())
}

fn progress_panel(
    area: &Area<'_>,
    data: &ChartData,
    line: &ThresholdLine,
    labels: &Labels,
) -> anyhow::Result<()> {
    let n = day_count(data);
    let start = data.days.first().map(|d| d.as_millis()).unwrap_or_default();
    let today_x = (n - 1) * X_PER_DAY;
    let now_pending = data
        .pending
        .last()
        .copied()
        .unwrap_or(UsdMicros::ZERO)
        .micros();
    let th = line.threshold.micros();
    // The projection reaches the crossing date, shown up to half a window past today.
    let eta_x = line
        .eta
        .filter(|_| now_pending < th)
        .map(|at| at.as_millis().saturating_sub(start) / (DAY_MS / X_PER_DAY) - HALF_DAY);
    let window = x_range(n);
    let x_max = match eta_x {
        Some(x) => (x + X_PER_DAY).clamp(window.end, window.end + n * X_PER_DAY / 2),
        None => window.end,
    };
    let max = data
        .pending
        .iter()
        .map(|v| v.micros())
        .max()
        .unwrap_or(0)
        .max(th);
    let lang = labels.lang;
    let money = move |v: &i64| UsdMicros::from_micros(*v).localized(lang);
    let fmt_x = x_formatter(data);
    let mut chart = ChartBuilder::on(area)
        .caption(labels.progress.clone(), text(18))
        .margin(12)
        .margin_right(32)
        .x_label_area_size(28)
        .y_label_area_size(90)
        .build_cartesian_2d(window.start..x_max, 0i64..top(max, 1_000_000))
        .map_err(drawing)?;
    chart
        .configure_mesh()
        .light_line_style(GRID)
        .x_labels(10)
        .y_labels(6)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&money)
        .label_style(text(13))
        .draw()
        .map_err(drawing)?;
    let points = data
        .pending
        .iter()
        .enumerate()
        .map(|(i, v)| (day_x(i), v.micros()));
    chart
        .draw_series(LineSeries::new(points, PENDING.stroke_width(3)))
        .map_err(drawing)?
        .label(labels.pending.clone())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], PENDING.stroke_width(3)));
    chart
        .draw_series(DashedLineSeries::new(
            [(window.start, th), (x_max, th)],
            8,
            5,
            THRESHOLD.stroke_width(2),
        ))
        .map_err(drawing)?
        .label(labels.threshold.clone())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], THRESHOLD.stroke_width(2)));
    // The projection, dashed: from today's balance to the threshold on the crossing date
    // (cut at the right edge when the date is further).
    let projection = match eta_x {
        Some(x) if x > today_x => {
            let end = x.min(x_max);
            let rise =
                i128::from(th - now_pending) * i128::from(end - today_x) / i128::from(x - today_x);
            let y = now_pending.saturating_add(i64::try_from(rise).unwrap_or(0));
            vec![(today_x, now_pending), (end, y)]
        }
        _ => Vec::new(),
    };
    chart
        .draw_series(DashedLineSeries::new(
            projection,
            4,
            4,
            PENDING.stroke_width(2),
        ))
        .map_err(drawing)?
        .label(labels.eta.clone())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], PENDING.stroke_width(1)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(text(14))
        .draw()
        .map_err(drawing)?;
    Ok(())
}

/// The owner pressed "📈 30 days" / "📈 90 days" under a channel's balance.
pub async fn send(
    bot: &TgBot,
    ctx: &Ctx,
    chat: ChatId,
    user: &UserRow,
    id: i64,
    span: ChartSpan,
) -> HandlerResult {
    let lang = user.lang();
    let Some(c) = owned(bot, ctx, chat, user, id).await? else {
        return Ok(());
    };
    let now = ctx.clock.now();
    let figures = ctx.db.channel_figures(c.id, now).await?;
    let rows = ctx.db.chart_rows(c.id, span.days(), now).await?;
    let data = shape(&rows, span.days(), now);
    let line = match c.payout.strategy {
        PayoutStrategy::Threshold(th) => Some(ThresholdLine {
            threshold: th,
            eta: next_payout_estimate(figures.pending, th, figures.owner_last_30d, now),
        }),
        PayoutStrategy::Instant => None,
    };
    let labels = Labels::new(lang, span, &data, line.as_ref(), now, figures.payments > 0);
    let mut caption = t_args(
        lang,
        "chart-caption",
        &[
            ("channel", Arg::from(c.title.as_str())),
            ("days", Arg::Int(i64::from(span.days()))),
            ("total", Arg::Html(data.total.localized(lang))),
            ("payments", Arg::Int(data.payments)),
            ("subscribers", Arg::Int(figures.active_subscribers)),
        ],
    );
    if let Some(l) = &line {
        caption.push('\n');
        caption.push_str(&t_args(
            lang,
            "chart-caption-threshold",
            &[
                ("pending", Arg::Html(figures.pending.localized(lang))),
                ("threshold", Arg::Html(l.threshold.localized(lang))),
            ],
        ));
        caption.push('\n');
        caption.push_str(&labels.eta);
    }
    let png = tokio::task::spawn_blocking(move || render(&data, line.as_ref(), &labels))
        .await
        .context("chart rendering task")??;
    let file = InputFile::memory(png).file_name(format!("telepay-{}-{}d.png", c.code, span.days()));
    bot.send_photo(chat, file)
        .caption(caption)
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::charts::{AccessSpan, ChartPayment, ChartRows, PendingShare};

    const NOW: i64 = 1_765_022_400_000; // 2025-12-06 12:00 UTC

    fn decode(png_bytes: &[u8]) -> (u32, u32) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        (info.width, info.height)
    }

    fn rows() -> ChartRows {
        let at = |d: i64| UnixMillis::from_millis(NOW - d * DAY_MS);
        ChartRows {
            payments: (0..20)
                .map(|d| ChartPayment {
                    granted_at: at(d),
                    value: UsdMicros::from_cents(999 * (d % 3 + 1)),
                    method: PayMethod::Crypto,
                })
                .collect(),
            access: (0..20)
                .map(|d| AccessSpan {
                    subscription_id: d,
                    from: at(d),
                    to: at(d - 30),
                })
                .collect(),
            pending: (0..20)
                .map(|d| PendingShare {
                    owner: UsdMicros::from_cents(900),
                    created_at: at(d),
                    paid_at: None,
                })
                .collect(),
        }
    }

    fn draw(lang: Lang, span: ChartSpan, rows: &ChartRows, threshold: bool) -> Vec<u8> {
        let now = UnixMillis::from_millis(NOW);
        let data = shape(rows, span.days(), now);
        let line = threshold.then_some(ThresholdLine {
            threshold: UsdMicros::from_cents(50_000),
            eta: Some(UnixMillis::from_millis(NOW + 12 * DAY_MS)),
        });
        let labels = Labels::new(
            lang,
            span,
            &data,
            line.as_ref(),
            now,
            !rows.payments.is_empty(),
        );
        render(&data, line.as_ref(), &labels).unwrap()
    }

    #[test]
    fn renders_a_png_of_the_announced_size() {
        for (lang, span, threshold) in [
            (Lang::En, ChartSpan::Days30, false),
            (Lang::Ru, ChartSpan::Days90, true),
            (Lang::Es, ChartSpan::Days30, true),
        ] {
            let png_bytes = draw(lang, span, &rows(), threshold);
            assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");
            assert_eq!(decode(&png_bytes), (WIDTH, height(threshold)));
            // Bars, lines and text make it far larger than a blank image of that size.
            assert!(png_bytes.len() > 20_000, "{} bytes", png_bytes.len());
        }
    }

    #[test]
    fn an_empty_channel_gets_an_empty_chart() {
        let png_bytes = draw(Lang::Ru, ChartSpan::Days30, &ChartRows::default(), true);
        assert_eq!(decode(&png_bytes), (WIDTH, height(true)));
        let now = UnixMillis::from_millis(NOW);
        let data = shape(&ChartRows::default(), 30, now);
        let labels = Labels::new(Lang::En, ChartSpan::Days30, &data, None, now, false);
        assert_eq!(labels.empty.as_deref(), Some("No payments yet"));
        let labels = Labels::new(Lang::En, ChartSpan::Days30, &data, None, now, true);
        assert!(labels.empty.unwrap().contains("30"));
    }

    #[test]
    fn cyrillic_text_draws_glyphs() {
        // Two titles of the same length: a font without these letters would draw the same
        // missing-glyph box for each, and the two images would be equal.
        let now = UnixMillis::from_millis(NOW);
        let data = shape(&ChartRows::default(), 30, now);
        let mut labels = Labels::new(Lang::Ru, ChartSpan::Days30, &data, None, now, false);
        labels.title = "ЖЖЖЖ".into();
        let zhe = render(&data, None, &labels).unwrap();
        labels.title = "ФФФФ".into();
        let ef = render(&data, None, &labels).unwrap();
        labels.title = "    ".into();
        let blank = render(&data, None, &labels).unwrap();
        assert_ne!(zhe, ef);
        assert_ne!(zhe, blank);
    }
}
